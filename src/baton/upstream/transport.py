"""Choosing and opening the transport of one upstream: stdio, Streamable HTTP or HTTP+SSE."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Literal

from mcp.shared._httpx_utils import create_mcp_http_client

from baton.config.schema import ServerConfig
from baton.upstream._streams import Streams
from baton.upstream.auth import expand_value, resolve_headers
from baton.upstream.detect import detect_transport
from baton.upstream.oauth import upstream_auth
from baton.upstream.sse import open_sse
from baton.upstream.stdio import ProcessReport, open_stdio
from baton.upstream.streamable_http import http_timeout, open_streamable_http

__all__ = ["ResolvedTransport", "configured_transport", "open_transport", "resolve_transport"]

ResolvedTransport = Literal["stdio", "streamable-http", "sse"]


def _url(server: str, config: ServerConfig, environ: Mapping[str, str]) -> str:
    assert config.url is not None
    return expand_value(server, config.url, environ, key="url")


def configured_transport(config: ServerConfig) -> ResolvedTransport | None:
    """The transport `config` names, or None when it is left to auto-detection."""
    if config.is_stdio:
        return "stdio"
    if config.transport == "sse":
        return "sse"
    return "streamable-http" if config.transport == "streamable-http" else None


async def resolve_transport(
    server: str, config: ServerConfig, environ: Mapping[str, str]
) -> ResolvedTransport:
    """The configured transport, or for `transport = "auto"` the one the server speaks."""
    if (configured := configured_transport(config)) is not None:
        return configured
    headers, url = resolve_headers(server, config, environ), _url(server, config, environ)
    auth = upstream_auth(server, url, config, environ)
    timeout = http_timeout(config.tool_timeout_sec)
    async with create_mcp_http_client(headers=headers, timeout=timeout, auth=auth) as client:
        return await detect_transport(server, url, client, shown_url=str(config.url))


@asynccontextmanager
async def open_transport(
    server: str,
    config: ServerConfig,
    environ: Mapping[str, str],
    transport: ResolvedTransport,
    report: ProcessReport,
) -> AsyncIterator[Streams]:
    """Open `transport` and yield its message streams; `report` learns about a process."""
    if transport == "stdio":
        async with open_stdio(server, config, environ, report) as streams:
            yield streams
        return
    url, headers = _url(server, config, environ), resolve_headers(server, config, environ)
    auth = upstream_auth(server, url, config, environ)
    opener = open_sse if transport == "sse" else open_streamable_http
    async with opener(url, headers, config.tool_timeout_sec, auth) as streams:
        yield streams
