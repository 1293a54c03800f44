"""Serving the gateway over streamable HTTP (uvicorn + the SDK's session manager)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Generator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio
import uvicorn
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from baton.errors import UsageError

if TYPE_CHECKING:
    from baton.gateway.server import Gateway

__all__ = ["MCP_PATH", "build_app", "serve_http"]

MCP_PATH = "/mcp"
# Large tool arguments (files, images) are normal for coding agents; the SDK's 4 MiB default is not.
MAX_REQUEST_BODY_BYTES = 64 * 1024 * 1024
# uvicorn waits this long for open streams to finish before closing them on shutdown.
GRACEFUL_SHUTDOWN_SEC = 5

log = logging.getLogger(__name__)


def _security(host: str, port: int) -> TransportSecuritySettings:
    """DNS-rebinding protection for loopback binds, as the MCP transport spec asks."""
    loopback = host in ("127.0.0.1", "localhost", "::1")
    if not loopback:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    hosts = [f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]")]
    origins = [f"http://{entry}" for entry in hosts]
    return TransportSecuritySettings(allowed_hosts=hosts, allowed_origins=origins)


class _Endpoint:
    """A plain ASGI app, so Starlette routes every method (a function endpoint is GET only)."""

    def __init__(self, manager: StreamableHTTPSessionManager) -> None:
        self._manager = manager

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._manager.handle_request(scope, receive, send)


def build_app(gateway: Gateway, host: str, port: int) -> Starlette:
    """The ASGI app serving the gateway at `MCP_PATH`."""
    manager = StreamableHTTPSessionManager(
        app=gateway.server,
        security_settings=_security(host, port),
        max_request_body_size=MAX_REQUEST_BODY_BYTES,
    )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with manager.run():
            yield

    return Starlette(routes=[Route(MCP_PATH, endpoint=_Endpoint(manager))], lifespan=lifespan)


class _Server(uvicorn.Server):
    """uvicorn, minus its signal handling: the gateway handles signals and closes upstreams first.

    uvicorn re-raises a captured SIGTERM once it has stopped, which would end the process before
    the upstream servers are closed.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


async def _serve(server: uvicorn.Server, host: str, port: int) -> None:
    # Shielded: uvicorn is stopped by `should_exit`, which lets it close streams gracefully.
    with anyio.CancelScope(shield=True):
        try:
            await server.serve()
        except SystemExit as exc:  # uvicorn exits the process when it cannot bind
            raise UsageError(
                f"cannot listen on {host}:{port} (address in use or not allowed)",
                hint="choose another --port, or stop what is listening there",
            ) from exc


async def serve_http(
    gateway: Gateway, host: str, port: int, *, ready: anyio.Event | None = None
) -> None:
    """Run uvicorn until cancelled; then stop it gracefully."""
    config = uvicorn.Config(
        build_app(gateway, host, port),
        host=host,
        port=port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SEC,
    )
    server = _Server(config)
    async with anyio.create_task_group() as group:
        group.start_soon(_serve, server, host, port)
        try:
            while not server.started and not server.should_exit:
                await anyio.sleep(0.01)  # uvicorn offers no start-up event to wait on
            if ready is not None:
                ready.set()
            log.info("baton gateway listening on http://%s:%d%s", host, port, MCP_PATH)
            await anyio.sleep_forever()
        finally:
            server.should_exit = True
