"""The stdio transport: a local server as a child process speaking JSON-RPC lines on stdin/stdout.

Built from the SDK's parts (`JSONRPCMessage`, `SessionMessage`) rather than on
`mcp.client.stdio.stdio_client`, which keeps the process to itself. Baton needs the process:
its exit code and last stderr lines make a crash report someone can act on; the whole process group
is killed on every exit, including after the leader exited by itself, which would otherwise orphan
its children (`npx` -> node); and clean-up is shielded, so it still runs when the start-up deadline
cancels the task (the SDK's awaits in its `finally` are cancelled with it). POSIX only, like
`start_new_session`.

The session reads and writes the process's pipes itself (`_StdoutMessages`, `_StdinMessages`):
no reader or writer task between them, so no task switch per message. A process that `baton
serve` started before its imports (`baton._early_start`) is adopted instead of spawned anew.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
from collections import deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import anyio
from anyio.abc import ObjectReceiveStream, ObjectSendStream, Process
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from anyio.streams.text import TextReceiveStream
from mcp import types
from mcp.shared.message import SessionMessage
from pydantic import ValidationError

from baton._early_start import adopt, launch_spec
from baton.config.schema import ServerConfig
from baton.errors import UpstreamStartError
from baton.upstream._adopted import AdoptedProcess, can_adopt
from baton.upstream._streams import Streams

__all__ = ["ProcessReport", "open_stdio"]

log = logging.getLogger(__name__)

# MCP's stdio shutdown: close stdin, give the server this long to exit, then SIGTERM.
GRACEFUL_EXIT_SEC = 2.0
# After SIGTERM to the process group, this long before SIGKILL.
TERMINATE_GRACE_SEC = 2.0
# How often to look whether orphans left in the group after SIGTERM are gone yet.
ORPHAN_POLL_SEC = 0.05
# Lines of the server's stderr kept for error messages.
STDERR_TAIL_LINES = 20
Received = SessionMessage | Exception


@dataclass
class ProcessReport:
    """What is known about the server process after (or while) it ran."""

    exit_code: int | None = None
    stderr_tail: deque[str] = field(default_factory=lambda: deque(maxlen=STDERR_TAIL_LINES))

    def describe(self) -> str:
        """'process exited with code 3; last stderr line: ...', or '' when nothing is known."""
        parts = [] if self.exit_code is None else [f"process exited with code {self.exit_code}"]
        if self.stderr_tail:
            parts.append(f"last stderr line: {self.stderr_tail[-1][:300]}")
        return "; ".join(parts)


@asynccontextmanager
async def open_stdio(
    server: str, config: ServerConfig, environ: Mapping[str, str], report: ProcessReport
) -> AsyncIterator[Streams]:
    """Start the server process and yield its message streams; kill its process group on exit."""
    process = await _spawn(server, config, environ)
    read, write = _StdoutMessages(server, process), _StdinMessages(process)
    graceful = True
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(_read_stderr, server, process, report)
            try:
                # The session only receives, sends and closes: typed as the memory streams it asks.
                yield (
                    cast(MemoryObjectReceiveStream[Received], read),
                    cast(MemoryObjectSendStream[SessionMessage], write),
                )
            except BaseException:
                graceful = False  # cancelled or failed: no point waiting for a polite exit
                raise
            finally:
                with anyio.CancelScope(shield=True):
                    await _shut_down(process, graceful=graceful)
                group.cancel_scope.cancel()
    finally:
        report.exit_code = process.returncode
        await read.aclose()
        await write.aclose()


async def _spawn(server: str, config: ServerConfig, environ: Mapping[str, str]) -> Process:
    spec = launch_spec(server, config, environ)
    early = adopt(spec) if can_adopt() else None
    if early is not None:
        log.debug("upstream '%s': adopting the process started early (pid %d)", server, early.pid)
        return await AdoptedProcess.adopt(early)
    try:
        return await anyio.open_process(
            list(spec.argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=spec.environment,
            cwd=spec.cwd,
            start_new_session=True,  # its own process group, so the whole tree can be killed
        )
    except OSError as exc:
        raise UpstreamStartError(
            server,
            f"cannot run {spec.command}: {exc.strerror}",
            hint="check the file is executable",
        ) from exc


class _StdoutMessages(ObjectReceiveStream[Received]):
    """The server's stdout as messages, parsed when the session asks: no reader task, no hop."""

    def __init__(self, server: str, process: Process) -> None:
        assert process.stdout is not None
        self._server, self._stdout = server, process.stdout
        self._buffer = bytearray()
        self._ready: deque[Received] = deque()
        self._closed = False

    async def receive(self) -> Received:
        """The next message (or a line that was not one); `EndOfStream` when stdout closes."""
        while not self._ready:
            if self._closed:
                raise anyio.ClosedResourceError
            chunk = await self._stdout.receive()  # raises EndOfStream at the end
            # Only the new chunk is searched and the line grows in place: re-joining the whole
            # buffer per chunk made a 50 MB message cost O(n²) (minutes instead of a second).
            start = 0
            while (end := chunk.find(b"\n", start)) != -1:
                self._buffer += chunk[start:end]
                text = self._buffer.decode("utf-8", errors="replace")
                self._buffer.clear()
                start = end + 1
                if text.strip():
                    self._ready.append(_parse(self._server, text))
            self._buffer += chunk[start:]
        return self._ready.popleft()

    async def aclose(self) -> None:
        """Stop handing out messages (the process is closed by `open_stdio`)."""
        self._closed = True
        self._ready.clear()


def _parse(server: str, line: str) -> Received:
    try:
        return SessionMessage(types.JSONRPCMessage.model_validate_json(line))
    except ValidationError as exc:
        log.warning("upstream '%s' wrote a non-JSON-RPC line to stdout", server)
        return exc


class _StdinMessages(ObjectSendStream[SessionMessage]):
    """Messages written to the server's stdin by the sending task itself: no writer task, no hop.

    A message goes into the pipe's buffer in one synchronous write, so concurrent senders never
    interleave; a full pipe makes the sender wait (back-pressure), as the memory stream did.
    """

    def __init__(self, process: Process) -> None:
        assert process.stdin is not None
        self._stdin = process.stdin
        self._closed = False

    async def send(self, item: SessionMessage) -> None:
        """Serialize and write one message; `BrokenResourceError` once the process is gone."""
        if self._closed:
            raise anyio.ClosedResourceError
        data = item.message.model_dump_json(by_alias=True, exclude_none=True)
        await self._stdin.send((data + "\n").encode())

    async def aclose(self) -> None:
        """Refuse further messages (stdin itself is closed by the shutdown sequence)."""
        self._closed = True


async def _read_stderr(server: str, process: Process, report: ProcessReport) -> None:
    assert process.stderr is not None
    buffer = ""
    async for chunk in TextReceiveStream(process.stderr, errors="replace"):
        *lines, buffer = (buffer + chunk).split("\n")
        for line in filter(str.strip, lines):
            report.stderr_tail.append(line)
            log.info("[%s] %s", server, line)


async def _shut_down(process: Process, *, graceful: bool) -> None:
    """Close stdin, wait for a polite exit (if `graceful`), then SIGTERM and SIGKILL the group."""
    group = process.pid  # start_new_session made the server the leader of its own group
    if process.stdin is not None:
        with suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
            await process.stdin.aclose()
    if graceful:
        with anyio.move_on_after(GRACEFUL_EXIT_SEC):
            await process.wait()
    _signal_group(group, signal.SIGTERM)  # the leader if still running, and any orphans
    with anyio.move_on_after(TERMINATE_GRACE_SEC):
        while process.returncode is None or _group_alive(group):
            with anyio.move_on_after(ORPHAN_POLL_SEC):
                await process.wait()
                # Orphans are not our children, so there is nothing to wait on: poll.
                await anyio.sleep(ORPHAN_POLL_SEC)
    _signal_group(group, signal.SIGKILL)
    await process.wait()


def _signal_group(group: int, signal_number: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal_number)


def _group_alive(group: int) -> bool:
    """Whether a process of `group` still runs. Zombies do not count: where PID 1 does not reap
    orphans (containers without an init), the dead would otherwise look alive until SIGKILL."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: signal 0 is the best there is
        try:
            os.killpg(group, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        with suppress(OSError):
            state, _ppid, pgrp = stat.read_text().rpartition(")")[2].split()[:3]
            if int(pgrp) == group and state != "Z":
                return True
    return False
