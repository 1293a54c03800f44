"""HTTP upstreams: transport detection, legacy HTTP+SSE, bearer tokens that never leak."""

from __future__ import annotations

import logging

import anyio
import pytest

from baton.config.schema import ServerConfig
from baton.errors import UpstreamConfigError, UpstreamStartError
from baton.upstream import UpstreamPool
from tests.upstream._support import (
    EVERYTHING,
    TOKEN,
    StartServer,
    bearer,
    free_port,
    legacy_sse,
    requires_everything,
    text_of,
)

pytestmark = pytest.mark.anyio


@pytest.mark.npm
@requires_everything
async def test_auto_finds_streamable_http_on_server_everything(http_server: StartServer) -> None:
    url = await http_server([str(EVERYTHING), "streamableHttp"], "/mcp")
    async with UpstreamPool({"everything": ServerConfig(url=url)}) as pool:
        with anyio.fail_after(30):
            result = await pool["everything"].call_tool("echo", {"message": "over http"})
        assert pool["everything"].transport == "streamable-http"
    assert text_of(result) == "Echo: over http"


async def test_auto_finds_the_legacy_sse_transport(http_server: StartServer) -> None:
    url = await legacy_sse(http_server)
    async with UpstreamPool({"old": ServerConfig(url=url)}) as pool:
        with anyio.fail_after(30):
            result = await pool["old"].call_tool("echo", {"message": "from 2024"})
            tools = await pool["old"].list_tools()
        assert pool["old"].transport == "sse"
    assert text_of(result) == "from 2024" and [tool.name for tool in tools] == ["echo"]


async def test_the_detected_transport_is_kept_across_reconnects(http_server: StartServer) -> None:
    url = await legacy_sse(http_server)
    async with UpstreamPool({"old": ServerConfig(url=url)}) as pool:
        upstream = pool["old"]
        with anyio.fail_after(30):
            await upstream.start()
            first = upstream._conn
            assert first is not None
            first.stop()  # as if the connection had dropped
            await first.finished.wait()
            await upstream.start()
        assert upstream._conn is not first and upstream._conn is not None
        assert upstream._conn.transport == "sse"  # handed in, not probed again


async def test_legacy_sse_configured_as_streamable_http_gets_the_transport_hint(
    http_server: StartServer,
) -> None:
    url = await legacy_sse(http_server)
    config = ServerConfig(url=url, transport="streamable-http")
    async with UpstreamPool({"old": config}) as pool:
        with anyio.fail_after(30), pytest.raises(UpstreamStartError) as failed:
            await pool["old"].start()
    assert "405" in str(failed.value)
    assert 'set transport = "sse" or "auto"' in (failed.value.hint or "")


async def test_explicit_sse_transport_connects(http_server: StartServer) -> None:
    url = await legacy_sse(http_server)
    async with UpstreamPool({"old": ServerConfig(url=url, transport="sse")}) as pool:
        with anyio.fail_after(30):
            assert text_of(await pool["old"].call_tool("echo", {"message": "x"})) == "x"


async def test_a_bearer_token_from_the_environment_is_sent(http_server: StartServer) -> None:
    url = await bearer(http_server)
    config = ServerConfig(url=url, bearer_token_env_var="TEST_MCP_TOKEN")
    async with UpstreamPool({"secured": config}, environ={"TEST_MCP_TOKEN": TOKEN}) as pool:
        with anyio.fail_after(30):
            assert text_of(await pool["secured"].call_tool("echo", {"message": "in"})) == "in"
        assert pool["secured"].transport == "streamable-http"


async def test_an_unset_token_variable_is_a_config_error_naming_it(
    http_server: StartServer,
) -> None:
    url = await bearer(http_server)
    config = ServerConfig(url=url, bearer_token_env_var="TEST_MCP_TOKEN")
    async with UpstreamPool({"secured": config}, environ={}) as pool:
        with anyio.fail_after(30), pytest.raises(UpstreamConfigError) as failed:
            await pool["secured"].start()
    assert "TEST_MCP_TOKEN" in str(failed.value) and "upstream 'secured'" in str(failed.value)
    assert "export TEST_MCP_TOKEN=" in (failed.value.hint or "")


@pytest.mark.parametrize("transport", ["auto", "streamable-http"])
async def test_a_refused_token_gets_the_auth_hint_and_never_appears_anywhere(
    http_server: StartServer, caplog: pytest.LogCaptureFixture, transport: str
) -> None:
    caplog.set_level(logging.DEBUG)
    url = await bearer(http_server)
    wrong = "wrong-" + TOKEN
    config = ServerConfig(url=url, bearer_token_env_var="TEST_MCP_TOKEN", transport=transport)
    async with UpstreamPool({"secured": config}, environ={"TEST_MCP_TOKEN": wrong}) as pool:
        with anyio.fail_after(30), pytest.raises(UpstreamStartError) as failed:
            await pool["secured"].start()
        shown = [str(failed.value), repr(failed.value), repr(pool["secured"]), caplog.text]
    assert "401" in str(failed.value)
    assert "bearer token from env TEST_MCP_TOKEN" in (failed.value.hint or "")
    assert "baton login secured" in (failed.value.hint or "")
    assert not [text for text in shown if TOKEN in text]


async def test_an_unreachable_url_says_so() -> None:
    config = ServerConfig(url=f"http://127.0.0.1:{free_port()}/mcp")
    async with UpstreamPool({"gone": config}) as pool:
        with anyio.fail_after(30), pytest.raises(UpstreamStartError) as failed:
            await pool["gone"].start()
    assert "cannot reach" in str(failed.value)
    assert "is the server running" in (failed.value.hint or "")
