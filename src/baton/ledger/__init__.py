"""The ledger: every run, attempt, finding, gate result and worker thread, kept across restarts.

`Ledger` is the storage contract; `SqliteLedger` the embedded default at `.baton/ledger.db`
(PostgreSQL can stand behind the same contract when several gateways share one history).
`open_ledger(config)` opens the project's ledger where `[ledger] path` says.

    LedgerError(BatonError)  the ledger file cannot be opened, read or written, or lacks a run
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
)
from baton.ledger._schema import SCHEMA_VERSION
from baton.ledger.sqlite import SqliteLedger

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
]


def ledger_path(config: BatonConfig) -> Path:
    """`[ledger] path`, a relative one taken from the project root (default `.baton/ledger.db`)."""
    path = config.ledger.path.expanduser()
    return path if path.is_absolute() else project_root(config) / path


def open_ledger(config: BatonConfig, *, read_only: bool = False) -> SqliteLedger:
    """The project's ledger; writable opens create the file and its directory."""
    return SqliteLedger(ledger_path(config), read_only=read_only)
