"""The legacy HTTP+SSE transport (MCP 2024-11-05), on the SDK's client.

Deprecated by the spec but still what many hosted servers speak (seed 003's failing server did).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from mcp.client.sse import sse_client

from baton.upstream._streams import Streams
from baton.upstream.streamable_http import HTTP_TIMEOUT_SEC, http_timeout

__all__ = ["open_sse"]


@asynccontextmanager
async def open_sse(
    url: str, headers: dict[str, str], tool_timeout_sec: float, auth: httpx.Auth | None = None
) -> AsyncIterator[Streams]:
    """Yield the message streams of an HTTP+SSE session opened with a GET to `url`."""
    read_timeout = http_timeout(tool_timeout_sec).read
    assert read_timeout is not None
    async with sse_client(
        url,
        headers=headers,
        timeout=HTTP_TIMEOUT_SEC,
        sse_read_timeout=read_timeout,
        auth=auth,
    ) as (read, write):
        yield read, write
