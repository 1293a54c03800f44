"""Serving the gateway over streamable HTTP (uvicorn + the SDK's session manager).

With inbound authorization (`[serve.auth]`, see `inbound_auth`) the MCP endpoint sits behind the
SDK's bearer-auth middleware: 401 with `WWW-Authenticate` (and, as an OAuth resource server,
`resource_metadata` pointing at the RFC 9728 document served next to it), 403 for missing scopes.
Without it Baton only binds loopback addresses: anything else would hand every upstream's tools,
and their tokens' reach, to whoever can reach the port.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Generator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio
import uvicorn
from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend, RequireAuthMiddleware
from mcp.server.auth.routes import build_resource_metadata_url, create_protected_resource_routes
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import AnyHttpUrl
from starlette.applications import Starlette
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from baton.auth.ssrf import is_loopback_host
from baton.errors import UsageError

if TYPE_CHECKING:
    from baton.gateway.inbound_auth import Inbound
    from baton.gateway.server import Gateway

__all__ = ["MCP_PATH", "bind_refusal", "build_app", "serve_http"]

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


def bind_refusal(host: str, inbound: Inbound | None) -> UsageError | None:
    """Why `host` must not be bound (a non-loopback address with no authorization), or None."""
    if inbound is not None or is_loopback_host(host):
        return None
    return UsageError(
        f"refusing to serve on {host} without authorization: anyone who reaches it could use "
        "every upstream server",
        hint="require a token (--auth-token-env VAR or [serve.auth] bearer_token_env_var), act as "
        "an OAuth resource server ([serve.auth] issuer + resource), or bind 127.0.0.1",
    )


def _protected(endpoint: _Endpoint, inbound: Inbound | None) -> list[BaseRoute]:
    """The MCP route, behind bearer auth when configured, plus protected-resource metadata."""
    if inbound is None:
        return [Route(MCP_PATH, endpoint=endpoint)]
    resource = AnyHttpUrl(inbound.resource) if inbound.resource else None
    metadata_url = build_resource_metadata_url(resource) if resource else None
    guarded = RequireAuthMiddleware(endpoint, inbound.required_scopes, metadata_url)
    backend = BearerAuthBackend(inbound.verifier, resource_server_url=resource)
    authenticated = AuthenticationMiddleware(guarded, backend=backend)
    routes: list[BaseRoute] = [Route(MCP_PATH, endpoint=authenticated)]
    if resource is not None and inbound.issuer is not None:
        scopes = inbound.required_scopes or None
        issuer = AnyHttpUrl(inbound.issuer)
        routes += create_protected_resource_routes(resource, [issuer], scopes_supported=scopes)
    return routes


def build_app(gateway: Gateway, host: str, port: int, inbound: Inbound | None = None) -> Starlette:
    """The ASGI app serving the gateway at `MCP_PATH` (behind `inbound` authorization, if any)."""
    manager = StreamableHTTPSessionManager(
        app=gateway.server,
        security_settings=_security(host, port),
        max_request_body_size=MAX_REQUEST_BODY_BYTES,
    )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with manager.run():
            yield

    return Starlette(routes=_protected(_Endpoint(manager), inbound), lifespan=lifespan)


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
    gateway: Gateway,
    host: str,
    port: int,
    *,
    ready: anyio.Event | None = None,
    inbound: Inbound | None = None,
) -> None:
    """Run uvicorn until cancelled; then stop it gracefully. Refuses an unauthorized public bind."""
    if (refusal := bind_refusal(host, inbound)) is not None:
        raise refusal
    config = uvicorn.Config(
        build_app(gateway, host, port, inbound),
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
