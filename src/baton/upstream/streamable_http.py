"""The Streamable HTTP transport (MCP 2025-03-26 and later), on the SDK's client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import MCP_DEFAULT_SSE_READ_TIMEOUT, create_mcp_http_client

from baton.upstream._streams import Streams

__all__ = ["HTTP_TIMEOUT_SEC", "http_timeout", "open_streamable_http"]

# Connecting and sending; reading is bounded separately because a response may be a long stream.
HTTP_TIMEOUT_SEC = 30.0
# A response stream may stay silent for a whole tool call; the call's own timeout is what counts.
READ_TIMEOUT_MARGIN_SEC = 30.0


def http_timeout(tool_timeout_sec: float) -> httpx.Timeout:
    """HTTP timeouts that never cut a tool call short of its `tool_timeout_sec`."""
    read = max(MCP_DEFAULT_SSE_READ_TIMEOUT, tool_timeout_sec + READ_TIMEOUT_MARGIN_SEC)
    return httpx.Timeout(HTTP_TIMEOUT_SEC, read=read)


@asynccontextmanager
async def open_streamable_http(
    url: str, headers: dict[str, str], tool_timeout_sec: float, auth: httpx.Auth | None = None
) -> AsyncIterator[Streams]:
    """Yield the message streams of a Streamable HTTP session with `url` (`auth`: e.g. OAuth)."""
    timeout = http_timeout(tool_timeout_sec)
    client = create_mcp_http_client(headers=headers, timeout=timeout, auth=auth)
    async with client, streamable_http_client(url, http_client=client) as (read, write, _):
        yield read, write
