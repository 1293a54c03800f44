"""The gateway: one MCP server in front of the configured upstream servers.

`Gateway` owns the upstream pool and the low-level SDK server; `run_stdio` and `run_http` serve it.
With `prefix=False` and one upstream it is a transparent proxy: same names, same capabilities,
same server info.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio
from anyio.abc import TaskGroup
from mcp import types
from mcp.server.lowlevel import NotificationOptions, Server
from mcp.server.models import InitializationOptions

from baton import __version__
from baton.config import ServerConfig
from baton.errors import UsageError
from baton.gateway.catalog import Catalog
from baton.gateway.delegation_tools import DelegationTools
from baton.gateway.guard import Guard
from baton.gateway.handlers import Handlers
from baton.gateway.relay import Relay
from baton.upstream import UpstreamPool

if TYPE_CHECKING:
    from baton.gateway.inbound_auth import Inbound

__all__ = ["Gateway"]

SHUTDOWN_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


async def _stop_on_signal(stop: Callable[[], None]) -> None:
    """Call `stop` on the first shutdown signal."""
    with anyio.open_signal_receiver(*SHUTDOWN_SIGNALS) as signals:
        async for received in signals:
            log.info("shutting down on signal %s", received)
            stop()
            return


log = logging.getLogger(__name__)

GATEWAY_NAME = "baton"


class _LowLevelServer(Server[Any, Any]):
    """The SDK server, answering `initialize` with the gateway's options on every transport."""

    def __init__(self, options: Callable[[], InitializationOptions]) -> None:
        super().__init__(GATEWAY_NAME, version=__version__)
        self._options = options

    def create_initialization_options(
        self,
        notification_options: NotificationOptions | None = None,
        experimental_capabilities: dict[str, dict[str, Any]] | None = None,
    ) -> InitializationOptions:
        """The gateway decides; the SDK's handler-derived capabilities would be wrong here."""
        return self._options()


class Gateway:
    """An MCP server exposing every enabled upstream's tools, prompts and resources."""

    def __init__(
        self,
        servers: Mapping[str, ServerConfig],
        *,
        prefix: bool = True,
        guard: Guard | None = None,
        own: DelegationTools | None = None,
    ) -> None:
        enabled = {name: config for name, config in servers.items() if config.enabled}
        if not prefix and len(enabled) != 1:
            raise UsageError(
                f"--no-prefix needs exactly one enabled upstream server, found {len(enabled)}"
                + (f" ({', '.join(enabled)})" if enabled else ""),
                hint="disable the others (enabled = false) or keep the `<server>__<tool>` names",
            )
        self.prefix = prefix
        self._relay = Relay(label_logs=prefix, on_tools_changed=self._tools_changed)
        self.pool = UpstreamPool(enabled, self._relay.hooks())
        self.catalog = Catalog(self.pool, prefix=prefix)
        self.server: Server[Any, Any] = _LowLevelServer(self.initialization_options)
        # A transparent proxy (--no-prefix) shows its one upstream and nothing of Baton's own.
        self.own = own if prefix else None
        Handlers(self.server, self.pool, self.catalog, self._relay, guard, self.own).install()
        self.server.notification_handlers[types.InitializedNotification] = self._on_initialized
        self._background: TaskGroup | None = None

    def _tools_changed(self) -> None:
        self.catalog.invalidate_tools()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Gateway]:
        """Open the upstream pool for the gateway's lifetime; closing it stops every upstream.

        A SIGTERM, SIGINT or SIGHUP ends the block in an orderly way, so the upstreams are closed
        (their processes killed) before the gateway exits rather than left behind as orphans.
        """
        async with self.pool, anyio.create_task_group() as group:
            self._background = group
            # A signal during start-up ends the start-up alone, so that this still yields (as a
            # context manager must); the block is then cancelled at its first await.
            startup, started = anyio.CancelScope(), False

            def stop() -> None:
                (group.cancel_scope if started else startup).cancel()

            group.start_soon(_stop_on_signal, stop)
            if not self.prefix:
                with startup:
                    await self.pool.start_all()  # a transparent proxy mirrors the handshake
            started = True
            if startup.cancel_called:
                group.cancel_scope.cancel()
            try:
                yield self
            finally:
                self._background = None
                if self.own is not None:
                    self.own.close()
                group.cancel_scope.cancel()

    async def _on_initialized(self, _: types.InitializedNotification) -> None:
        # A lead lists tools right after `initialized`: start the upstreams now, in the
        # background, so that list does not wait for Baton's start and theirs one after the other.
        if self._background is not None:
            self._background.start_soon(self.pool.start_all)

    def initialization_options(self) -> InitializationOptions:
        """What the gateway answers to `initialize`."""
        if not self.prefix:
            mirrored = self._mirrored_options()
            if mirrored is not None:
                return mirrored
        capabilities = types.ServerCapabilities(
            tools=types.ToolsCapability(listChanged=True),
            prompts=types.PromptsCapability(listChanged=True),
            resources=types.ResourcesCapability(subscribe=True, listChanged=True),
            logging=types.LoggingCapability(),
            completions=types.CompletionsCapability(),
        )
        return InitializationOptions(
            server_name=GATEWAY_NAME,
            server_version=__version__,
            capabilities=capabilities,
            instructions=self._instructions(),
        )

    def _mirrored_options(self) -> InitializationOptions | None:
        upstream = self.pool[next(iter(self.pool))]
        result = upstream.initialize_result
        if result is None:
            return None
        return InitializationOptions(
            server_name=result.serverInfo.name,
            server_version=result.serverInfo.version,
            website_url=result.serverInfo.websiteUrl,
            icons=result.serverInfo.icons,
            capabilities=result.capabilities,
            instructions=result.instructions,
        )

    def _instructions(self) -> str:
        names = ", ".join(self.pool) or "none configured"
        text = (
            "Baton gateway. Upstream MCP servers behind it: "
            f"{names}. Their tools are named <server>__<tool>."
        )
        if self.own is not None:
            text += (
                " Delegate well-specified tasks (a scope and acceptance criteria) with `delegate`;"
                " `route` says first who should do a task; a passed run's diff reaches the"
                " repository only through `apply`; full diffs and logs are baton://runs/ resources."
            )
        return text

    async def serve_streams(self, read: Any, write: Any, *, stateless: bool = False) -> None:
        """Serve one lead connection over a pair of SDK message streams."""
        await self.server.run(
            read, write, self.server.create_initialization_options(), stateless=stateless
        )

    async def run_stdio(self) -> None:
        """Serve one lead over stdin/stdout until it closes stdin."""
        from baton.gateway.stdio import stdio_transport

        async with self.running(), stdio_transport() as (read, write):
            await self.serve_streams(read, write)

    async def run_http(
        self,
        host: str,
        port: int,
        *,
        ready: anyio.Event | None = None,
        inbound: Inbound | None = None,
    ) -> None:
        """Serve leads over streamable HTTP at http://HOST:PORT/mcp, behind `inbound` if given."""
        from baton.gateway.http import serve_http

        async with self.running():
            await serve_http(self, host, port, ready=ready, inbound=inbound)
