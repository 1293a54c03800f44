"""The stdio transport: a local server as a child process speaking JSON-RPC lines on stdin/stdout.

Built from the SDK's parts (`get_default_environment`, `JSONRPCMessage`, `SessionMessage`) rather
than on `mcp.client.stdio.stdio_client`, which keeps the process to itself. Baton needs the process:
its exit code and last stderr lines make a crash report someone can act on; the whole process group
is killed on every exit, including after the leader exited by itself, which would otherwise orphan
its children (`npx` -> node); and clean-up is shielded, so it still runs when the start-up deadline
cancels the task (the SDK's awaits in its `finally` are cancelled with it). POSIX only, like
`start_new_session`.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
from collections import deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from anyio.abc import Process
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from anyio.streams.text import TextReceiveStream
from mcp import types
from mcp.client.stdio import get_default_environment
from mcp.shared.message import SessionMessage
from pydantic import ValidationError

from baton.config.schema import ServerConfig
from baton.errors import UpstreamConfigError, UpstreamStartError
from baton.upstream._streams import Streams
from baton.upstream.auth import expand_value

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
    to_session, read = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write, from_session = anyio.create_memory_object_stream[SessionMessage](0)
    graceful = True
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(_read_stdout, server, process, to_session)
            group.start_soon(_write_stdin, process, from_session)
            group.start_soon(_read_stderr, server, process, report)
            try:
                yield read, write
            except BaseException:
                graceful = False  # cancelled or failed: no point waiting for a polite exit
                raise
            finally:
                with anyio.CancelScope(shield=True):
                    await _shut_down(process, graceful=graceful)
                group.cancel_scope.cancel()
    finally:
        report.exit_code = process.returncode
        for stream in (read, write, to_session, from_session):
            await stream.aclose()


def _resolve_command(server: str, command: str, env: Mapping[str, str], cwd: Path | None) -> str:
    if os.sep in command:  # a path: relative to the server's cwd, as the child will see it
        command = os.path.abspath(os.path.join(cwd or ".", command))
    found = shutil.which(command, path=env.get("PATH"))
    if found is None:
        raise UpstreamStartError(
            server,
            f"command not found: {command}",
            hint=f"install {command} or put its directory on PATH (Baton passes its own PATH "
            f"unless [servers.{server}].env sets one), or give `command` as a full path",
        )
    return found


async def _spawn(server: str, config: ServerConfig, environ: Mapping[str, str]) -> Process:
    assert config.command is not None
    command = expand_value(server, config.command, environ, key="command")
    args = [expand_value(server, arg, environ, key="args") for arg in config.args]
    env = get_default_environment()
    env.update({k: expand_value(server, v, environ, key=f"env.{k}") for k, v in config.env.items()})
    if config.cwd is not None and not config.cwd.is_dir():
        raise UpstreamConfigError(
            server, f"cwd {config.cwd} is not a directory", hint=f"fix `cwd` in [servers.{server}]"
        )
    executable = _resolve_command(server, command, env, config.cwd)
    try:
        return await anyio.open_process(
            [executable, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=config.cwd,
            start_new_session=True,  # its own process group, so the whole tree can be killed
        )
    except OSError as exc:
        raise UpstreamStartError(
            server, f"cannot run {command}: {exc.strerror}", hint="check the file is executable"
        ) from exc


async def _read_stdout(
    server: str, process: Process, sink: MemoryObjectSendStream[SessionMessage | Exception]
) -> None:
    assert process.stdout is not None
    buffer = ""
    async with sink:
        async for chunk in TextReceiveStream(process.stdout, errors="replace"):
            *lines, buffer = (buffer + chunk).split("\n")
            for line in filter(str.strip, lines):
                try:
                    await sink.send(_parse(server, line))
                except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                    return  # the session is gone; shutdown is under way


def _parse(server: str, line: str) -> SessionMessage | Exception:
    try:
        return SessionMessage(types.JSONRPCMessage.model_validate_json(line))
    except ValidationError as exc:
        log.warning("upstream '%s' wrote a non-JSON-RPC line to stdout", server)
        return exc


async def _write_stdin(process: Process, source: MemoryObjectReceiveStream[SessionMessage]) -> None:
    assert process.stdin is not None
    async with source:
        async for session_message in source:
            data = session_message.message.model_dump_json(by_alias=True, exclude_none=True)
            try:
                await process.stdin.send((data + "\n").encode())
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                return  # the process is gone; the closed stream fails the next sender


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
