"""Workers behind a connection (an MCP session): held open for a whole run, or one per call.

Threads live in the worker's server process, so a run holds one connection for every attempt
(`async with worker:`); a call outside that block opens a connection of its own. Subclasses say
how to connect and how to make one call on a connection.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from types import TracebackType
from typing import Generic, Self, TypeVar

from baton.delegation.workers._base import EventSink, WorkerCall, WorkerResult
from baton.errors import WorkerError

__all__ = ["HeldConnectionWorker"]

C = TypeVar("C")


class HeldConnectionWorker(ABC, Generic[C]):
    """A worker whose calls go over a connection `_connect` opens."""

    name: str

    def __init__(self) -> None:
        self._stack: AsyncExitStack | None = None
        self._held: C | None = None

    @abstractmethod
    def _connect(self) -> AbstractAsyncContextManager[C]:
        """Open one connection to the worker's server."""

    @abstractmethod
    async def _call(
        self, connection: C, call: WorkerCall, on_event: EventSink | None
    ) -> WorkerResult | WorkerError:
        """One call on `connection`; a failure is returned, so no task group wraps it."""

    async def __aenter__(self) -> Self:
        self._stack = AsyncExitStack()
        self._held = await self._stack.enter_async_context(self._connect())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        stack, self._stack, self._held = self._stack, None, None
        if stack is not None:
            await stack.aclose()

    async def run(self, call: WorkerCall, on_event: EventSink | None = None) -> WorkerResult:
        """Run one call; `WorkerError` if the worker fails, refuses or times out."""
        if not call.workspace.is_dir():
            raise WorkerError(self.name, f"workspace {call.workspace} is not a directory")
        if self._held is not None:
            outcome = await self._call(self._held, call, on_event)
        else:
            async with self._connect() as connection:
                outcome = await self._call(connection, call, on_event)
        # Raised out here, not inside the connection's task groups, so it is not wrapped.
        if isinstance(outcome, WorkerError):
            raise outcome
        return outcome
