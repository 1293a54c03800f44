"""`baton probe URL`: connect to one MCP server by URL alone, the way a gateway connection would
(auto transport, auto auth), initialize, list tools and optionally call one.

The service half of the command: it takes resolved headers and an optional `httpx.Auth`, returns a
`ProbeResult`, and raises `UpstreamError`s. Nothing in a result is a credential.
"""

from __future__ import annotations

from typing import Any, Literal

import anyio
import httpx
from mcp import types
from mcp.client.session import ClientSession
from mcp.shared._httpx_utils import create_mcp_http_client
from pydantic import BaseModel

from baton import __version__
from baton.config.schema import ServerConfig
from baton.errors import UpstreamError, UpstreamStartError
from baton.upstream.detect import detect_transport
from baton.upstream.errors import start_error
from baton.upstream.sse import open_sse
from baton.upstream.streamable_http import http_timeout, open_streamable_http

__all__ = ["PROBE_NAME", "ProbeResult", "probe"]

PROBE_NAME = "probe"
CLIENT_INFO = types.Implementation(name="baton-probe", version=__version__)

ProbeTransport = Literal["auto", "streamable-http", "sse"]


class ProbeResult(BaseModel):
    """What one probe found: transport, server, tools, and the result of the optional call."""

    url: str
    transport: str
    auth: str
    server_name: str | None = None
    server_version: str | None = None
    protocol_version: str | None = None
    tools: list[str] = []
    call: dict[str, Any] | None = None


async def _detect(
    url: str, headers: dict[str, str], auth: httpx.Auth | None, timeout: httpx.Timeout
) -> Literal["streamable-http", "sse"]:
    async with create_mcp_http_client(headers=headers, timeout=timeout, auth=auth) as client:
        return await detect_transport(PROBE_NAME, url, client, shown_url=url)


async def _session_run(
    session: ClientSession, result: ProbeResult, call: str | None, args: dict[str, Any]
) -> None:
    init = await session.initialize()
    result.server_name, result.server_version = init.serverInfo.name, init.serverInfo.version
    result.protocol_version = str(init.protocolVersion)
    if init.capabilities.tools is not None:
        result.tools = [tool.name for tool in (await session.list_tools()).tools]
    if call is not None:
        called = await session.call_tool(call, args)
        result.call = called.model_dump(mode="json", by_alias=True, exclude_none=True)


async def probe(
    url: str,
    *,
    headers: dict[str, str],
    auth: httpx.Auth | None,
    auth_kind: str,
    transport: ProbeTransport = "auto",
    call: str | None = None,
    args: dict[str, Any] | None = None,
    timeout_sec: float = 60.0,
) -> ProbeResult:
    """Connect to `url`, initialize, list tools and call `call`; errors as `UpstreamError`s."""
    config = ServerConfig(url=url, tool_timeout_sec=timeout_sec)
    found: str | None = None if transport == "auto" else transport
    try:
        with anyio.fail_after(timeout_sec * 2):
            found = found or await _detect(url, headers, auth, http_timeout(timeout_sec))
            result = ProbeResult(url=url, transport=found, auth=auth_kind)
            opener = open_sse if found == "sse" else open_streamable_http
            async with (
                opener(url, headers, timeout_sec, auth) as (read, write),
                ClientSession(read, write, client_info=CLIENT_INFO) as session,
            ):
                await _session_run(session, result, call, args or {})
    except TimeoutError as exc:
        raise UpstreamStartError(PROBE_NAME, f"{url} did not answer in time") from exc
    except UpstreamError as exc:
        raise _for_probe(exc) from exc
    except Exception as exc:  # the probe's boundary: every failure becomes an UpstreamError
        raise _for_probe(start_error(PROBE_NAME, config, exc, found)) from exc
    return result


def _for_probe(error: UpstreamError) -> UpstreamError:
    """Hints in terms of the probe's flags rather than a baton.toml entry."""
    if "(unauthorized)" in error.reason:
        error.hint = (
            "pass a token with --bearer-env VAR or -H 'Authorization: Bearer ...' "
            "(OAuth is tried by itself when the server advertises it)"
        )
    return error
