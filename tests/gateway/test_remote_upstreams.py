"""Seed 003's remote cases behind `baton serve`: a bearer-token server and a legacy-SSE-only one."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import anyio
import pytest

from tests.conftest import FIXTURE_SERVERS
from tests.gateway._client import baton_serve, session_on, write_config
from tests.upstream._support import TOKEN, StartServer, text_of

pytestmark = pytest.mark.anyio


async def test_bearer_and_legacy_sse_servers_work_through_the_gateway(
    http_server: StartServer, tmp_path: Path
) -> None:
    bearer_url = await http_server(
        [sys.executable, str(FIXTURE_SERVERS / "bearer.py"), "--port", "{port}"],
        "/mcp",
        env={"EXPECTED_TOKEN": TOKEN},
    )
    legacy_url = await http_server(
        [sys.executable, str(FIXTURE_SERVERS / "legacy_sse.py"), "--port", "{port}"], "/sse"
    )
    config = write_config(
        tmp_path / "baton.toml",
        {
            "github": {"url": bearer_url, "bearer_token_env_var": "BATON_TEST_TOKEN"},
            "atlassian": {"url": legacy_url},
        },
    )
    env = {**os.environ, "BATON_TEST_TOKEN": TOKEN}
    with anyio.fail_after(60):
        async with session_on(baton_serve(config), env=env) as lead:
            names = {tool.name for tool in (await lead.list_tools()).tools}
            bearer = await lead.call_tool("github__echo", {"message": "with a token"})
            legacy = await lead.call_tool("atlassian__echo", {"message": "over sse"})
    assert {"github__echo", "atlassian__echo"} <= names
    assert text_of(bearer) == "with a token"
    assert text_of(legacy) == "over sse"


async def test_an_unset_token_variable_is_that_servers_error_naming_it(
    http_server: StartServer, tmp_path: Path
) -> None:
    url = await http_server(
        [sys.executable, str(FIXTURE_SERVERS / "bearer.py"), "--port", "{port}"],
        "/mcp",
        env={"EXPECTED_TOKEN": TOKEN},
    )
    config = write_config(
        tmp_path / "baton.toml",
        {
            "github": {"url": url, "bearer_token_env_var": "BATON_TEST_TOKEN_UNSET"},
            "local": {"command": sys.executable, "args": [str(FIXTURE_SERVERS / "faulty.py")]},
        },
    )
    env = {k: v for k, v in os.environ.items() if k != "BATON_TEST_TOKEN_UNSET"}
    with anyio.fail_after(60):
        async with session_on(baton_serve(config), env=env) as lead:
            names = {tool.name for tool in (await lead.list_tools()).tools}
            result = await lead.call_tool("local__echo", {"message": "unaffected"})
            refused = await lead.call_tool("github__echo", {"message": "no token"})
    assert "local__echo" in names and not any(n.startswith("github__") for n in names)
    assert text_of(result) == "unaffected"
    assert refused.isError
    assert "upstream 'github'" in text_of(refused) and "BATON_TEST_TOKEN_UNSET" in text_of(refused)
