"""One shell command run in the workspace: its own process group, a timeout, a redacted tail."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import anyio
from anyio.abc import ByteReceiveStream, Process
from anyio.streams.text import TextReceiveStream

from baton.delegation._process_group import signal_group, stop_group
from baton.policy.redact import redact

__all__ = ["Finished", "Jail", "command_env", "find_program", "run_command"]

# Wraps a command line so it runs jailed.
Jail = Callable[[Sequence[str]], list[str]]

# Enough output to see why a gate failed (pytest's summary, ruff's findings) without flooding.
TAIL_LINES = 60
TAIL_CHARS = 4_000
# One line without a newline is kept only this long, so a runaway command cannot fill memory.
MAX_LINE_CHARS = 16_000
# After the shell exited, how long a process that escaped its group may hold the output open.
DRAIN_GRACE_SEC = 2.0
SHELL = "/bin/bash" if Path("/bin/bash").exists() else "/bin/sh"


@dataclass(frozen=True)
class Finished:
    """How a command ended: its exit code (None when it timed out) and its redacted output tail."""

    exit_code: int | None
    timed_out: bool
    output_tail: str
    duration_ms: int


def command_env(workspace: Path, env: Mapping[str, str] | None) -> dict[str, str]:
    """`env` (default: this process's), with the workspace's `node_modules/.bin` first on PATH."""
    result = dict(os.environ if env is None else env)
    node_bin = workspace / "node_modules" / ".bin"
    if node_bin.is_dir():
        path = result.get("PATH")
        result["PATH"] = f"{node_bin}{os.pathsep}{path}" if path else str(node_bin)
    return result


def find_program(program: str, env: Mapping[str, str]) -> str | None:
    """Where `program` is on the PATH of `env`, or None."""
    return shutil.which(program, path=env.get("PATH", os.defpath))


async def run_command(
    command: str,
    workspace: Path,
    env: Mapping[str, str],
    timeout_sec: float,
    jail: Jail | None = None,
) -> Finished:
    """Run `command` by the shell in `workspace`; `OSError` when it cannot start at all.

    `jail` wraps the shell's command line (in bubblewrap, see `delegation.jail.gate_jail`).
    """
    tail = _Tail()
    started = time.monotonic()
    # Shielded: a cancellation landing after the fork but before this returns would leak the child.
    with anyio.CancelScope(shield=True):
        argv = [SHELL, "-c", command]
        process = await anyio.open_process(
            jail(argv) if jail is not None else argv,
            cwd=workspace,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    timed_out = completed = False
    async with process:
        try:
            with anyio.fail_after(timeout_sec):
                await _follow(process, tail)  # ends the group itself when the shell exits
            completed = True
        except TimeoutError:
            timed_out = True
        finally:
            # Timed out or cancelled: nothing the gate started may outlive the call.
            if not completed:
                with anyio.CancelScope(shield=True):
                    await stop_group(process)
    duration_ms = int((time.monotonic() - started) * 1000)
    exit_code = None if timed_out else process.returncode
    return Finished(exit_code, timed_out, tail.text(), duration_ms)


async def _follow(process: Process, tail: _Tail) -> None:
    """Collect output until the shell exits, then end its group and drain what is left."""
    assert process.stdout is not None  # opened with a pipe
    eof = anyio.Event()
    async with anyio.create_task_group() as group:
        group.start_soon(_collect, process.stdout, tail, eof)
        await process.wait()
        signal_group(process, signal.SIGKILL)  # what it left running in the background
        with anyio.move_on_after(DRAIN_GRACE_SEC):
            await eof.wait()
        group.cancel_scope.cancel()


async def _collect(stream: ByteReceiveStream, tail: _Tail, eof: anyio.Event) -> None:
    try:
        async for chunk in TextReceiveStream(stream, errors="replace"):
            tail.feed(chunk)
    finally:
        eof.set()


class _Tail:
    """The last lines of a command's output, bounded however much it prints."""

    def __init__(self) -> None:
        self._lines: deque[str] = deque(maxlen=TAIL_LINES)
        self._partial = ""

    def feed(self, text: str) -> None:
        *lines, partial = (self._partial + text).split("\n")
        self._lines.extend(line.removesuffix("\r")[-MAX_LINE_CHARS:] for line in lines)
        self._partial = partial[-MAX_LINE_CHARS:]

    def text(self) -> str:
        """The tail, secrets redacted before it is cut, so no cut can expose half a token."""
        lines = [*self._lines, self._partial] if self._partial else list(self._lines)
        text = redact("\n".join(lines[-TAIL_LINES:])).text
        return text if len(text) <= TAIL_CHARS else "…" + text[-(TAIL_CHARS - 1) :]
