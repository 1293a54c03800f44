"""One connection to an upstream, from spawn or connect to close, run as one task.

anyio requires a task group or cancel scope to be exited by the task that entered it, and the SDK
transports and session are built from both; so each connection lives in a single task of the pool's
task group, and callers talk to it through events: `ready` (handshake done, or failed: see `error`)
and `finished` (everything closed). The session reads the transport's stream through a thin wrapper
that notices when it ends, so a server that exits is seen at once, not at the next timeout.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import cast

import anyio
from anyio.abc import ObjectReceiveStream
from anyio.streams.memory import MemoryObjectReceiveStream
from mcp import types
from mcp.shared.message import SessionMessage

from baton import __version__
from baton.config.schema import ServerConfig
from baton.errors import UpstreamCrashed, UpstreamError, UpstreamStartError, UpstreamTimeout
from baton.upstream.errors import is_connection_closed, start_error
from baton.upstream.hooks import UpstreamHooks, session_callbacks
from baton.upstream.session import UpstreamSession
from baton.upstream.stdio import ProcessReport
from baton.upstream.transport import ResolvedTransport, open_transport, resolve_transport

__all__ = ["Connection"]

log = logging.getLogger("baton.upstream")

CLIENT_INFO = types.Implementation(name="baton", version=__version__)
Received = SessionMessage | Exception


class _Watched(ObjectReceiveStream[Received]):
    """A receive stream that calls `on_end` when its source ends: no relay task, no extra hop."""

    def __init__(self, source: MemoryObjectReceiveStream[Received], on_end: Callable[[], None]):
        self._source, self._on_end = source, on_end

    async def receive(self) -> Received:
        """The next message; at the source's end, `on_end` then `EndOfStream`."""
        try:
            return await self._source.receive()
        except anyio.EndOfStream:
            self._on_end()
            raise

    async def aclose(self) -> None:
        """Close the source (the session closing its end is a deliberate stop)."""
        await self._source.aclose()


class Connection:
    """One attempt to connect to an upstream and serve requests until stopped or lost."""

    def __init__(
        self,
        server: str,
        config: ServerConfig,
        environ: Mapping[str, str],
        hooks: UpstreamHooks,
        transport: ResolvedTransport | None,
        on_tools_changed: Callable[[], None],
    ) -> None:
        self.server, self.config, self.transport = server, config, transport
        self._environ, self._hooks, self._on_tools_changed = environ, hooks, on_tools_changed
        self.ready, self.finished = anyio.Event(), anyio.Event()
        self.session: UpstreamSession | None = None
        self.initialize_result: types.InitializeResult | None = None
        self.startup_ms: float | None = None
        self.error: UpstreamError | None = None
        self.report = ProcessReport()
        self.lost = False  # the transport ended on its own
        self.stopping = False
        self._leaving = False
        self._wake = anyio.Event()
        self._scope = anyio.CancelScope()
        self._calls: set[anyio.CancelScope] = set()

    @property
    def healthy(self) -> bool:
        """Handshake done and neither stopped nor lost since."""
        return self.session is not None and not self._wake.is_set()

    def stop(self) -> None:
        """Ask the task to close the connection (interrupting a start still under way)."""
        self.stopping = True
        self._wake.set()
        if not self.ready.is_set():
            self._scope.cancel()

    def abort(self) -> None:
        """Cancel the task outright; clean-up of a process still runs (it is shielded)."""
        self._scope.cancel()

    @contextmanager
    def call(self) -> Iterator[anyio.CancelScope]:
        """A scope for one request, cancelled if the connection ends while it is in flight."""
        with anyio.CancelScope() as scope:
            self._calls.add(scope)
            try:
                yield scope
            finally:
                self._calls.discard(scope)

    async def run(self) -> None:
        """The task body. Never raises: a broken upstream costs its own connection, not the pool."""
        started = anyio.current_time()
        deadline = anyio.CancelScope(deadline=started + self.config.startup_timeout_sec)
        try:
            with self._scope, deadline:
                await self._serve(deadline, started)
        except Exception as exc:  # the connection's boundary: every failure becomes `error`
            if self.stopping and self.ready.is_set():
                log.debug("upstream '%s': error while closing: %r", self.server, exc)
            else:
                self.error = self._failure(exc, timed_out=deadline.cancel_called)
        finally:
            self._finish(timed_out=deadline.cancel_called)

    async def _serve(self, deadline: anyio.CancelScope, started: float) -> None:
        self.transport = self.transport or await resolve_transport(
            self.server, self.config, self._environ
        )
        opened = open_transport(
            self.server, self.config, self._environ, self.transport, self.report
        )
        async with opened as (read, write):
            callbacks = session_callbacks(self.server, self._hooks, self._on_tools_changed)
            # The SDK only iterates and closes its read stream; typed as the memory stream it asks.
            session_read = cast(MemoryObjectReceiveStream[Received], _Watched(read, self._ended))
            async with UpstreamSession(
                session_read, write, client_info=CLIENT_INFO, **callbacks
            ) as s:
                try:
                    await self._handshake(s, deadline, started)
                    await self._wake.wait()
                    self._cancel_calls()
                finally:
                    self._leaving = True  # the transport ending from here on is our doing

    async def _handshake(
        self, session: UpstreamSession, deadline: anyio.CancelScope, started: float
    ) -> None:
        self.initialize_result = await session.initialize()
        deadline.deadline = math.inf  # started: from now on only `stop` or loss end it
        self.startup_ms = (anyio.current_time() - started) * 1000
        self.session = session
        self.ready.set()
        log.info("upstream '%s' ready over %s", self.server, self.transport)

    def _ended(self) -> None:
        """The transport's stream ended by itself (the server exited or hung up)."""
        self.lost = not (self.stopping or self._leaving)
        self._wake.set()

    def _cancel_calls(self) -> None:
        for scope in self._calls:
            scope.cancel()

    def _failure(self, exc: Exception, *, timed_out: bool) -> UpstreamError:
        if self.ready.is_set():
            reason = start_error(self.server, self.config, exc, self.transport).reason
            return UpstreamCrashed(self.server, f"the connection broke: {reason}")
        if timed_out:
            return self._timeout()
        if self.lost and is_connection_closed(exc):
            return self._exited_during_start()
        return start_error(self.server, self.config, exc, self.transport)

    def _timeout(self) -> UpstreamTimeout:
        seconds = self.config.startup_timeout_sec
        return UpstreamTimeout(
            self.server,
            f"did not finish start-up within {seconds:g}s",
            hint=f"raise startup_timeout_sec in [servers.{self.server}] (now {seconds:g}); "
            "a first `npx`/`uvx` run downloads the package and may need longer",
        )

    def _exited_during_start(self) -> UpstreamStartError:
        detail = self.report.describe() or "the connection closed"
        hint = "run the command by hand to see why" if self.config.is_stdio else None
        return UpstreamStartError(self.server, f"exited during start-up: {detail}", hint=hint)

    def _finish(self, *, timed_out: bool) -> None:
        self._cancel_calls()
        if self.error is None and not self.ready.is_set():
            self.error = self._timeout() if timed_out else self._not_started()
        elif self.error is None and self.lost:
            detail = self.report.describe()
            reason = "the connection was lost" + (f" ({detail})" if detail else "")
            self.error = UpstreamCrashed(self.server, reason, hint="Baton reconnects on next use")
        if isinstance(self.error, UpstreamCrashed):
            log.warning("%s", self.error)
        elif self.error is not None:
            log.info("%s", self.error)
        self._wake.set()
        self.ready.set()
        self.finished.set()

    def _not_started(self) -> UpstreamStartError:
        if self.lost:
            return self._exited_during_start()
        return UpstreamStartError(self.server, "start-up was cancelled (Baton is shutting down)")
