"""Which HTTP transport a URL speaks, found the way the MCP spec's "Backwards Compatibility" says.

The SDK connects with the transport it is told to use and has no fallback, yet servers in the wild
still speak the 2024-11-05 HTTP+SSE transport (seed 003: a login failed on exactly that, a 404 on
the initialize POST). So for `transport = "auto"` Baton probes, per spec 2025-03-26+:

1. POST an InitializeRequest to the URL. Success means Streamable HTTP.
2. If that fails with a 4xx, GET the URL expecting an SSE stream whose first event is `endpoint`:
   that is the legacy HTTP+SSE transport.

401/403 are not transport answers but authorization ones, so they are reported, not probed past.
The probe's session, if the server opened one, is ended with a DELETE. Requests follow redirects
only within the URL's origin, exactly as the SDK transports that will connect afterwards do.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Literal

import httpx
from mcp import types
from mcp.client.streamable_http import MCP_SESSION_ID
from mcp.shared._httpx_utils import request_within_origin, sse_within_origin, stream_within_origin

from baton.errors import UpstreamStartError
from baton.upstream.errors import HttpStatus

__all__ = ["HttpTransport", "detect_transport", "probe_initialize"]

HttpTransport = Literal["streamable-http", "sse"]

_PROBE_HEADERS = {"Accept": "application/json, text/event-stream"}


def _initialize_body() -> dict[str, object]:
    request = types.JSONRPCRequest(
        jsonrpc="2.0",
        id=0,
        method="initialize",
        params=types.InitializeRequestParams(
            protocolVersion=types.LATEST_PROTOCOL_VERSION,
            capabilities=types.ClientCapabilities(),
            clientInfo=types.Implementation(name="baton-probe", version="0"),
        ).model_dump(by_alias=True, mode="json", exclude_none=True),
    )
    return request.model_dump(by_alias=True, mode="json", exclude_none=True)


async def probe_initialize(client: httpx.AsyncClient, url: str) -> int:
    """POST an InitializeRequest to `url`; return the status (ending any session it opened)."""
    async with stream_within_origin(
        client, "POST", url, json=_initialize_body(), headers=_PROBE_HEADERS
    ) as response:
        status, session_id = response.status_code, response.headers.get(MCP_SESSION_ID)
    if session_id:
        with suppress(httpx.HTTPError):
            await request_within_origin(client, "DELETE", url, headers={MCP_SESSION_ID: session_id})
    return status


async def _opens_legacy_stream(client: httpx.AsyncClient, url: str) -> bool:
    async with sse_within_origin(client, url) as source:
        content_type = source.response.headers.get("content-type", "")
        if source.response.status_code != 200 or not content_type.startswith("text/event-stream"):
            return False
        async for event in source.aiter_sse():
            return event.event == "endpoint"
    return False


async def detect_transport(
    server: str, url: str, client: httpx.AsyncClient, *, shown_url: str
) -> HttpTransport:
    """The transport `url` speaks. Raises `HttpStatus` for an authorization or server failure,
    `httpx.HTTPError` when unreachable, `UpstreamStartError` when it speaks neither transport."""
    status = await probe_initialize(client, url)
    if 200 <= status < 300:
        return "streamable-http"
    if status in (401, 403) or not 400 <= status < 500:
        raise HttpStatus(status)
    if await _opens_legacy_stream(client, url):
        return "sse"
    raise UpstreamStartError(
        server,
        f"{shown_url} speaks neither MCP transport: POST initialize got HTTP {status} "
        "and GET opened no SSE stream starting with an `endpoint` event",
        hint="check the URL: Streamable HTTP servers usually end in /mcp, HTTP+SSE ones in /sse",
    )
