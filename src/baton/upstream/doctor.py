"""`diagnose`: connect to one upstream end to end and say what works, what does not, and why.

`baton servers doctor --json` prints a JSON list with one object per server, in config order:

    [
      {
        "server": "github",                      # the [servers.NAME] name
        "transport": {
          "configured": "streamable-http",       # auto | stdio | streamable-http | sse
          "found": "sse"                         # what the server speaks, or null if unknown
        },
        "ok": false,                             # handshake done and tools listed
        "handshake": "https://... answered HTTP 405 to the initialize POST",   # or "ok"
        "protocol_version": null,                # e.g. "2025-06-18" once connected
        "server_name": null,                     # serverInfo.name
        "server_version": null,                  # serverInfo.version
        "tool_count": null,                      # tools after enabled_tools / disabled_tools
        "startup_ms": null,                      # launch to completed handshake
        "auth": {
          "kind": "bearer",                      # none | bearer | headers | oauth
          "state": "token from env GITHUB_TOKEN (set)"
                                                 # or "env GITHUB_TOKEN unset", "not required",
                                                 # "logged in, expires in 52m, scopes repo",
                                                 # "not logged in: run `baton login github`"
        },
        "error": "upstream 'github': https://... answered HTTP 405 to the initialize POST",
        "hint": "this server speaks the legacy HTTP+SSE transport: set transport = ..."
      }
    ]

`error` and `hint` are null when `ok` is true. A bearer-token server is never reported as "not
logged in": its auth state is the token variable's. OAuth state comes from the token store.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping

import anyio
import httpx
from mcp.shared.exceptions import McpError
from pydantic import BaseModel

from baton.config.schema import ServerConfig
from baton.errors import UpstreamError
from baton.upstream.auth import describe_auth
from baton.upstream.errors import LEGACY_SSE_HINT, HttpStatus
from baton.upstream.oauth import sends_own_authorization, stored_login
from baton.upstream.pool import UpstreamPool
from baton.upstream.transport import ResolvedTransport, resolve_transport

__all__ = ["AuthReport", "Diagnosis", "TransportReport", "diagnose", "diagnose_all"]


class TransportReport(BaseModel):
    """The transport as configured, and the one the server was found to speak."""

    configured: str
    found: str | None = None


class AuthReport(BaseModel):
    """How the server authorizes and whether that is in place; never the secret."""

    kind: str
    state: str


class Diagnosis(BaseModel):
    """One server's health, as `baton servers doctor` reports it."""

    server: str
    transport: TransportReport
    ok: bool
    handshake: str
    protocol_version: str | None = None
    server_name: str | None = None
    server_version: str | None = None
    tool_count: int | None = None
    startup_ms: float | None = None
    auth: AuthReport
    error: str | None = None
    hint: str | None = None


async def diagnose(
    name: str, config: ServerConfig, *, environ: Mapping[str, str] = os.environ
) -> Diagnosis:
    """Start `name`, list its tools, and report; never raises for the server's own failures."""
    auth = describe_auth(config, environ, stored_login(name, config), now=time.time())
    diagnosis = Diagnosis(
        server=name,
        transport=TransportReport(configured="stdio" if config.is_stdio else config.transport),
        ok=False,
        handshake="not attempted",
        auth=AuthReport(kind=auth.kind, state=auth.state),
    )
    enabled = config.model_copy(update={"enabled": True})  # asked for by name: check it anyway
    async with UpstreamPool({name: enabled}, environ=environ) as pool:
        upstream = pool[name]
        try:
            await upstream.start()
            result = upstream.initialize_result
            assert result is not None
            tools = await upstream.list_tools() if result.capabilities.tools else []
        except (UpstreamError, McpError) as exc:
            await _record_failure(diagnosis, name, enabled, environ, exc)
            return diagnosis
    diagnosis.ok, diagnosis.handshake = True, "ok"
    diagnosis.transport.found = upstream.transport
    diagnosis.protocol_version = str(result.protocolVersion)
    diagnosis.server_name = result.serverInfo.name
    diagnosis.server_version = result.serverInfo.version
    diagnosis.tool_count, diagnosis.startup_ms = len(tools), upstream.startup_ms
    return diagnosis


async def _record_failure(
    diagnosis: Diagnosis,
    name: str,
    config: ServerConfig,
    environ: Mapping[str, str],
    exc: UpstreamError | McpError,
) -> None:
    if isinstance(exc, UpstreamError):
        diagnosis.handshake, diagnosis.error, diagnosis.hint = exc.reason, exc.message, exc.hint
        if "(unauthorized)" in exc.reason and config.url and not sends_own_authorization(config):
            diagnosis.auth = AuthReport(
                kind="oauth", state=f"not logged in: run `baton login {name}`"
            )
    else:  # connected, but the server refused tools/list
        diagnosis.handshake, diagnosis.error = "ok", str(exc)
    if config.url is None:
        return
    found = await _found_transport(name, config, environ)
    diagnosis.transport.found = found
    if found == "sse" and config.transport == "streamable-http":
        diagnosis.hint = LEGACY_SSE_HINT  # confirmed, so no longer hedged
    elif found is None and LEGACY_SSE_HINT in (diagnosis.hint or ""):
        diagnosis.hint = "check the URL: neither Streamable HTTP nor HTTP+SSE answers there"


async def _found_transport(
    name: str, config: ServerConfig, environ: Mapping[str, str]
) -> ResolvedTransport | None:
    """What the URL speaks, by the same probe `transport = "auto"` uses; None if unknown."""
    probe = config.model_copy(update={"transport": "auto"})
    with anyio.move_on_after(config.startup_timeout_sec):
        try:
            return await resolve_transport(name, probe, environ)
        except (UpstreamError, HttpStatus, httpx.HTTPError):
            return None
    return None


async def diagnose_all(
    servers: Mapping[str, ServerConfig], *, environ: Mapping[str, str] = os.environ
) -> list[Diagnosis]:
    """Diagnose every server concurrently; results in the order of `servers`."""
    results: dict[str, Diagnosis] = {}

    async def run(name: str, config: ServerConfig) -> None:
        results[name] = await diagnose(name, config, environ=environ)

    async with anyio.create_task_group() as group:
        for name, config in servers.items():
            group.start_soon(run, name, config)
    return [results[name] for name in servers]
