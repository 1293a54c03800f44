"""What a killed Baton leaves behind (workspaces, jail homes, unfinished runs), found and cleared.

A run writes a marker `.baton/running/<run id>.json` naming its process (pid and start time,
so a reused pid is not mistaken for it) and the directories it made. The marker goes when the
run ends. A marker whose process is gone means Baton was killed (kill -9, power cut): the next
run removes those directories and the ledger records that run as `interrupted`.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from baton.delegation._snapshot import remove_tree

__all__ = ["RunMarker", "sweep"]

RUNNING_DIR = Path(".baton") / "running"


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(pid: int, started: str | None) -> bool:
    if started is None:  # no /proc: fall back to asking the kernel whether the pid exists
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return _start_time(pid) == started


class RunMarker:
    """The marker of one running run in a repository."""

    def __init__(self, repo: Path, run_id: str) -> None:
        self.path = repo / RUNNING_DIR / f"{run_id}.json"
        self._paths: list[str] = []

    def add(self, paths: Sequence[Path]) -> None:
        """Record directories the run made (written at once: a kill may come any moment)."""
        self._paths += [str(path) for path in paths]
        pid = os.getpid()
        data = {"pid": pid, "started": _start_time(pid), "paths": self._paths}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data))
        os.replace(temporary, self.path)

    def remove(self) -> None:
        """The run ended: forget it."""
        self.path.unlink(missing_ok=True)


def sweep(repo: Path) -> list[str]:
    """Clear what killed runs left; return their run ids (for the ledger to mark)."""
    running = repo / RUNNING_DIR
    if not running.is_dir():
        return []
    swept: list[str] = []
    for marker in sorted(running.glob("*.json")):
        try:
            data = json.loads(marker.read_text())
        except (OSError, ValueError):
            continue  # being written right now, or not ours
        if _alive(int(data.get("pid", 0)), data.get("started")):
            continue
        for path in data.get("paths", []):
            with contextlib.suppress(OSError):
                remove_tree(Path(path))
        marker.unlink(missing_ok=True)
        swept.append(marker.stem)
    return swept
