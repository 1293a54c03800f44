"""`baton probe URL`: auto transport, bearer and header auth, OAuth, tool calls, JSON output."""

from __future__ import annotations

import pytest

from tests.auth._support import assert_no_token, baton, issued_tokens, oauth_server
from tests.upstream._support import TOKEN, StartServer, bearer, legacy_sse

pytestmark = pytest.mark.anyio


async def test_probe_with_a_bearer_token_from_env_calls_a_tool(http_server: StartServer) -> None:
    url = await bearer(http_server)
    outputs: list[str] = []
    args = [
        "probe",
        url,
        "--bearer-env",
        "MY_TOKEN",
        "--call",
        "echo",
        "--args",
        '{"message":"hi"}',
    ]
    ran = baton(*args, "--json", env={"MY_TOKEN": TOKEN}, outputs=outputs)
    assert ran.code == 0, ran.stderr
    result = ran.json()
    assert isinstance(result, dict)
    assert result["transport"] == "streamable-http" and result["auth"] == "bearer"
    assert result["tools"] == ["echo"]
    assert result["call"]["content"][0]["text"] == "hi"
    assert_no_token([TOKEN], outputs)


async def test_probe_with_a_header_reaches_the_server(http_server: StartServer) -> None:
    url = await bearer(http_server)
    outputs: list[str] = []
    ran = baton("probe", url, "-H", f"Authorization: Bearer {TOKEN}", outputs=outputs)
    assert ran.code == 0, ran.stderr
    assert "tools (1): echo" in ran.stdout


async def test_probe_without_the_token_says_unauthorized_and_shows_no_secret(
    http_server: StartServer,
) -> None:
    url = await bearer(http_server)
    outputs: list[str] = []
    ran = baton(
        "probe",
        url,
        "--bearer-env",
        "MY_TOKEN",
        env={"MY_TOKEN": "wrong-token-abcdefghijklmnop"},
        outputs=outputs,
    )
    assert ran.code == 1
    assert "401" in ran.stderr and "unauthorized" in ran.stderr
    assert_no_token(["wrong-token-abcdefghijklmnop", TOKEN], outputs)


async def test_probe_finds_a_legacy_sse_server(http_server: StartServer) -> None:
    url = await legacy_sse(http_server)
    ran = baton("probe", url, "--call", "echo", "--args", '{"message":"old"}', "--json", outputs=[])
    assert ran.code == 0, ran.stderr
    result = ran.json()
    assert isinstance(result, dict)
    assert result["transport"] == "sse" and result["auth"] == "none"
    assert result["call"]["content"][0]["text"] == "old"


@pytest.mark.parametrize("path", ["/mcp", "/sse"])
async def test_probe_logs_in_with_oauth_headless(http_server: StartServer, path: str) -> None:
    url = await oauth_server(http_server, path)
    outputs: list[str] = []
    ran = baton(
        "probe",
        url,
        "--headless",
        "--call",
        "echo",
        "--args",
        '{"message":"x"}',
        "--json",
        outputs=outputs,
    )
    assert ran.code == 0, ran.stderr
    result = ran.json()
    assert isinstance(result, dict)
    assert result["auth"] == "oauth"
    assert result["transport"] == ("sse" if path == "/sse" else "streamable-http")
    assert_no_token(issued_tokens(url), outputs)


async def test_probe_rejects_bad_arguments() -> None:
    ran = baton("probe", "http://127.0.0.1:9/mcp", "--args", "[1]", outputs=[])
    assert ran.code == 2 and "JSON object" in ran.stderr
