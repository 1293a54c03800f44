"""The ledger's records and its error: plain frozen dataclasses, the same for every backend."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from baton.errors import BatonError

__all__ = [
    "RUNS_HINT",
    "Attempt",
    "Finding",
    "GateResult",
    "LedgerError",
    "RunRecord",
    "RunSummary",
    "new_run_id",
    "no_such_run",
    "parse_utc",
    "utc_stamp",
]


class LedgerError(BatonError):
    """The ledger cannot be opened, read or written; names the file and what to do."""


RUNS_HINT = "`baton runs` lists the recorded runs and their ids"


def no_such_run(path: Path, run_id: str) -> LedgerError:
    """The error for a run id the ledger at `path` does not hold."""
    return LedgerError(f"ledger {path}: no run {run_id!r}", hint=RUNS_HINT)


def utc_stamp(moment: datetime | None = None) -> str:
    """An ISO-8601 UTC timestamp with milliseconds: equal width, so text order is time order."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_utc(text: str) -> datetime:
    """An ISO date or time, UTC unless it has an offset; `ValueError` if it is not one."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def new_run_id() -> str:
    """A run id that sorts by start time (to the microsecond): `20261122T123456123456Z-1a2b3c4d`."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Finding:
    """One audit finding of an attempt: which stage and rule, on which path, and why."""

    stage: str
    rule: str
    path: str | None
    message: str


@dataclass(frozen=True)
class GateResult:
    """One quality gate's outcome in an attempt, with the tail of its output."""

    name: str
    status: str
    duration_ms: int
    output_tail: str


@dataclass(frozen=True)
class Attempt:
    """One worker attempt of a run, with its findings and gate results in recorded order."""

    id: int
    number: int
    thread_id: str | None
    started_at: str
    verdict: str | None
    duration_ms: int | None
    findings: tuple[Finding, ...]
    gates: tuple[GateResult, ...]


@dataclass(frozen=True)
class RunSummary:
    """One line of `baton runs`: what ran, who did it, and how it ended (None while running)."""

    id: str
    started_at: str
    finished_at: str | None
    kind: str | None
    route: str | None
    worker: str | None
    model: str | None
    verdict: str | None
    attempts: int
    duration_ms: int | None
    applied_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class RunRecord(RunSummary):
    """A whole run: the summary plus the task, the routing decision, the thread and attempts."""

    task: dict[str, Any]
    decision: dict[str, Any]
    thread_id: str | None
    diff_stat: dict[str, Any] | None
    attempt_records: tuple[Attempt, ...]
    applied_files: tuple[str, ...] = ()
