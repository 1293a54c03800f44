"""Ending a child started in its own session: the process and everything it started with it.

Workers (Codex) and gates (the project's commands) both run as the leader of a new session, so
their process group holds whatever they spawned; a timeout or a cancellation ends the group.
"""

from __future__ import annotations

import contextlib
import os
import signal

import anyio
from anyio.abc import Process

__all__ = ["TERMINATE_GRACE_SEC", "signal_group", "stop_group"]

# After a timeout or cancellation, how long the process gets to exit on SIGTERM before SIGKILL.
TERMINATE_GRACE_SEC = 5.0


def signal_group(process: Process, signal_number: int) -> None:
    """Signal the process and every process in its group (its own session, so its own group)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal_number)


async def stop_group(process: Process) -> None:
    """SIGTERM to the group, then SIGKILL if the process has not exited within the grace period."""
    if process.returncode is None:
        signal_group(process, signal.SIGTERM)
        with anyio.move_on_after(TERMINATE_GRACE_SEC):
            await process.wait()
    signal_group(process, signal.SIGKILL)  # stragglers, even when the process itself exited
    await process.wait()
