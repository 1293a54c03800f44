"""Delegations that outlive their lead: `[review] on_lead_disconnect = "continue"`.

A run inside the gateway's process ends with it, and a lead that goes away takes a stdio gateway
along: it closes stdin, then signals the process (the MCP stdio shutdown sequence). So a run that
must continue runs as `baton delegate` / `baton reply` in a process of its own session: while the
lead is there the gateway relays that process's progress (stderr) and returns its result (stdout,
`--json`); when the lead goes, the gateway stops listening and leaves it running. The run ends and
is recorded in the ledger like any other, for `runs` and `apply` later. Its CLI ignores the pipes
it writes to closing (see `baton.cli.delegate`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from subprocess import DEVNULL, PIPE
from typing import Any

import anyio
from anyio.abc import ByteReceiveStream, Process
from anyio.streams.text import TextReceiveStream

from baton.errors import BatonError

__all__ = ["DETACHED_NOTICE", "run_detached"]

DETACHED_NOTICE = (
    "this run continues if you disconnect ([review] on_lead_disconnect = continue);"
    " find it later with `runs`"
)
PROGRESS_MARK = "… "  # how `baton delegate` starts each progress line on stderr
# Lines of the child's stderr kept for an error report when it fails.
ERROR_TAIL_LINES = 20


async def run_detached(
    arguments: list[str],
    *,
    repo: Path,
    config_file: Path | None,
    stdin_text: str | None = None,
    on_progress: Callable[[str], Awaitable[None]] | None = None,
) -> dict[str, Any]:
    """Run `baton ARGUMENTS --json` in its own session; return its result, relaying progress.

    Cancelled (the lead went away), it returns at once and leaves the process to finish alone.
    """
    command = [sys.executable, "-m", "baton", *arguments, "--json"]
    command += ["--config", str(config_file)] if config_file is not None else []
    process = await anyio.open_process(
        command,
        cwd=repo,
        stdin=PIPE if stdin_text is not None else DEVNULL,
        stdout=PIPE,
        stderr=PIPE,
        start_new_session=True,  # no signal meant for the gateway's group reaches the run
    )
    others: list[str] = []
    try:
        if process.stdin is not None and stdin_text is not None:
            await process.stdin.send(stdin_text.encode())
            await process.stdin.aclose()
        output = bytearray()
        async with anyio.create_task_group() as group:
            group.start_soon(_relay_progress, process, on_progress, others)
            assert process.stdout is not None
            async for chunk in process.stdout:
                output += chunk
        code = await process.wait()
    except BaseException:
        with anyio.CancelScope(shield=True):
            await _let_go(process)
        raise
    return _result(bytes(output), code, others)


async def _relay_progress(
    process: Process,
    on_progress: Callable[[str], Awaitable[None]] | None,
    others: list[str],
) -> None:
    assert process.stderr is not None
    async for line in _lines(process.stderr):
        if line.startswith(PROGRESS_MARK):
            if on_progress is not None:
                await on_progress(line[len(PROGRESS_MARK) :])
        elif line.strip():
            others[:] = [*others, line][-ERROR_TAIL_LINES:]


async def _lines(stream: ByteReceiveStream) -> Any:
    pending = ""
    async for text in TextReceiveStream(stream, errors="replace"):
        pending += text
        *complete, pending = pending.split("\n")
        for line in complete:
            yield line
    if pending:
        yield pending


async def _let_go(process: Process) -> None:
    """Stop listening without stopping the run: close our ends of its pipes, nothing else."""
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            await stream.aclose()


def _result(output: bytes, code: int, others: list[str]) -> dict[str, Any]:
    try:
        data = json.loads(output)
    except ValueError:
        data = None
    if isinstance(data, dict) and "verdict" in data:
        return data
    said = "\n".join(others).strip()
    message, _, hint = said.partition("\n")
    raise BatonError(
        message.removeprefix("error: ") or f"the detached run exited with {code} and no result",
        hint=hint.strip().removeprefix("hint: ") or None,
    )
