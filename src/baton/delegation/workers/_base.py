"""The worker contract: a call in (prompt, instructions, workspace, sandbox); events, a result out.

Every adapter (codex-exec, codex-mcp, ...) implements `Worker.run`; the pipeline never knows
which one it drives. Invariant 3 of DESIGN.md is in the call itself: instructions, an explicit
sandbox and a workspace chosen by Baton are required fields, and adapters run non-interactively.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, Self

__all__ = [
    "EventSink",
    "Launcher",
    "Sandbox",
    "Worker",
    "WorkerCall",
    "WorkerEvent",
    "WorkerEventKind",
    "WorkerResult",
]

Sandbox = Literal["read-only", "workspace-write"]
WorkerEventKind = Literal[
    "thread", "turn", "message", "reasoning", "command", "file_change", "tool", "plan", "warning"
]


@dataclass(frozen=True)
class WorkerCall:
    """One request to a worker; `thread_id` continues an earlier thread instead of starting one."""

    prompt: str
    instructions: str
    workspace: Path
    sandbox: Sandbox
    thread_id: str | None = None


@dataclass(frozen=True)
class WorkerEvent:
    """One step of the worker's progress, summarised in `text`; `data` is the worker's own event."""

    kind: WorkerEventKind
    text: str
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class WorkerResult:
    """What a finished call reports: the thread to resume, the final message, files it changed.

    `files_changed` is the worker's own account (relative to the workspace); the workspace diff
    is the truth the review stages check.
    """

    worker: str
    thread_id: str | None
    final_message: str
    files_changed: tuple[str, ...]
    usage: dict[str, int] = field(default_factory=dict)


@dataclass
class Transcript:
    """What one worker call has said so far; each adapter's transcript folds its own format in."""

    workspace: Path
    thread_id: str | None = None
    final_message: str = ""
    files_changed: list[str] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)
    failure: str | None = None


EventSink = Callable[[WorkerEvent], Awaitable[None]]
# Wraps a worker's command line before it starts, e.g. in the worker jail (`jail.bwrap_argv`).
Launcher = Callable[[list[str]], list[str]]


class Worker(Protocol):
    """A worker agent behind one adapter; `async with` holds what a run shares (its server)."""

    name: str

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def run(self, call: WorkerCall, on_event: EventSink | None = None) -> WorkerResult:
        """Run `call` to completion; raise `WorkerError` if the worker fails or times out."""
        ...
