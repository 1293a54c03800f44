"""The ledger: every run, attempt, finding, gate result, thread and artifact, kept across restarts.

`Ledger` is the storage contract; `SqliteLedger` the embedded default at `.baton/ledger.db`
(PostgreSQL can stand behind the same contract when several gateways share one history).
`open_ledger(config)` opens the project's ledger where `[ledger] path` says.

    LedgerError(BatonError)  the ledger cannot be opened, read or written, or lacks a run or
                             an artifact asked for
"""

from __future__ import annotations

from pathlib import Path

from baton.config import BatonConfig, project_root
from baton.ledger._interface import Ledger
from baton.ledger._records import (
    Attempt,
    Finding,
    GateResult,
    LedgerError,
    RunRecord,
    RunSummary,
    new_run_id,
    parse_utc,
    utc_stamp,
)
from baton.ledger._schema import SCHEMA_VERSION
from baton.ledger.sqlite import SqliteLedger

# Baton's state directory in a project (the ledger, the apply journal); it ignores itself.
_STATE_DIR = ".baton"

__all__ = [
    "SCHEMA_VERSION",
    "Attempt",
    "Finding",
    "GateResult",
    "Ledger",
    "LedgerError",
    "RunRecord",
    "RunSummary",
    "SqliteLedger",
    "ledger_path",
    "new_run_id",
    "open_ledger",
    "parse_utc",
    "utc_stamp",
]


def ledger_path(config: BatonConfig) -> Path:
    """`[ledger] path`, a relative one taken from the project root (default `.baton/ledger.db`)."""
    path = config.ledger.path.expanduser()
    return path if path.is_absolute() else project_root(config) / path


def open_ledger(config: BatonConfig, *, read_only: bool = False) -> SqliteLedger:
    """The project's ledger; writable opens create the file and its directory."""
    path = ledger_path(config)
    if not read_only and path.parent.name == _STATE_DIR:
        _ignore_itself(path.parent)
    return SqliteLedger(path, read_only=read_only)


def _ignore_itself(state: Path) -> None:
    """Make Baton's state directory invisible to git: no `git status` noise, never snapshotted."""
    try:
        state.mkdir(parents=True, exist_ok=True)
        ignore = state / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")
    except OSError as exc:
        raise LedgerError(
            f"cannot create {state}: {exc.strerror or exc}",
            hint="check the project directory is writable, or set `[ledger] path`",
        ) from exc
