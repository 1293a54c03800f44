"""Over streamable HTTP, what an upstream sends about a call travels on that call's SSE stream.

A lead need not open the optional GET stream (MCP transports spec, "Listening for Messages from
the Server"), so Baton must not put the log lines and sampling requests an upstream sends while
serving one of the lead's calls there: they would be lost, and a sampling call would hang.
The lead here is raw HTTP that never opens the GET stream.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from tests.conftest import baton_command, fixture_server
from tests.gateway._client import write_config
from tests.upstream._support import StartServer

pytestmark = pytest.mark.anyio

PROTOCOL = "2025-06-18"
SSE_AND_JSON = {"Accept": "application/json, text/event-stream"}
CALL_TIMEOUT_SEC = 60


@pytest.fixture
async def gateway(http_server: StartServer, tmp_path: Path) -> str:
    """`baton serve --transport http --no-prefix` in front of the conformance fixture (stdio)."""
    upstream = [*fixture_server("conformance_server.py"), "--stdio"]
    config = write_config(
        tmp_path / "baton.toml", {"conformance": {"command": upstream[0], "args": upstream[1:]}}
    )
    serve = [*baton_command(), "serve", "--config", str(config), "--transport", "http"]
    return await http_server([*serve, "--port", "{port}", "--no-prefix"], "/mcp")


async def open_session(client: httpx.AsyncClient, url: str) -> dict[str, str]:
    """Initialize without ever opening the GET stream; the headers for the session's requests."""
    hello = {
        "protocolVersion": PROTOCOL,
        "capabilities": {"sampling": {}},
        "clientInfo": {"name": "no-get-stream", "version": "1"},
    }
    response = await client.post(url, headers=SSE_AND_JSON, json=_request(0, "initialize", hello))
    response.raise_for_status()
    headers = {
        **SSE_AND_JSON,
        "mcp-session-id": response.headers["mcp-session-id"],
        "mcp-protocol-version": PROTOCOL,
    }
    initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    (await client.post(url, headers=headers, json=initialized)).raise_for_status()
    return headers


def _request(request_id: int, method: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}


async def messages(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """The JSON-RPC messages of an SSE response (priming events have no data)."""
    async for line in response.aiter_lines():
        if line.startswith("data:") and line.removeprefix("data:").strip():
            yield json.loads(line.removeprefix("data:"))


async def call_on_post_stream(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], tool: str, arguments: Any
) -> tuple[list[str], dict[str, Any]]:
    """Call `tool`; what came on the call's own stream before its result, and the result.

    A sampling request is answered with a scripted message, as a lead would.
    """
    seen: list[str] = []
    call = _request(1, "tools/call", {"name": tool, "arguments": arguments})
    with anyio.fail_after(CALL_TIMEOUT_SEC):
        async with client.stream("POST", url, headers=headers, json=call) as response:
            async for message in messages(response):
                if message.get("id") == 1 and "method" not in message:
                    return seen, message["result"]
                seen.append(message["method"])
                if message["method"] == "sampling/createMessage":
                    text = {"type": "text", "text": "scripted"}
                    answer = {"role": "assistant", "model": "scripted", "content": text}
                    reply = {"jsonrpc": "2.0", "id": message["id"], "result": answer}
                    (await client.post(url, headers=headers, json=reply)).raise_for_status()
    raise AssertionError(f"the call's stream ended without its result after {seen}")


async def test_upstream_logs_during_a_call_arrive_on_the_calls_stream(gateway: str) -> None:
    async with httpx.AsyncClient(timeout=CALL_TIMEOUT_SEC) as client:
        headers = await open_session(client, gateway)
        seen, result = await call_on_post_stream(
            client, gateway, headers, "test_tool_with_logging", {}
        )
    assert seen == ["notifications/message"] * 3
    assert not result.get("isError")


async def test_upstream_sampling_during_a_call_is_asked_on_the_calls_stream(gateway: str) -> None:
    async with httpx.AsyncClient(timeout=CALL_TIMEOUT_SEC) as client:
        headers = await open_session(client, gateway)
        seen, result = await call_on_post_stream(
            client, gateway, headers, "test_sampling", {"prompt": "say something"}
        )
    assert seen == ["sampling/createMessage"]
    assert result["content"][0]["text"] == "LLM response: scripted"
