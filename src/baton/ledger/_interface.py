"""The storage contract every ledger backend meets (SQLite now, PostgreSQL when teams share one).

Everything that must outlive a request — runs, attempts, thread ids, a run's diff and logs —
goes through these calls, so `baton serve` replicas can share history once a shared backend
exists. The calls are synchronous and thread-safe; async callers run them in a worker thread
(`anyio.to_thread`).
Callers pass only data that may be kept: never raw environments or tokens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from baton.ledger._records import RunRecord, RunSummary

__all__ = ["Ledger"]


class Ledger(Protocol):
    """Where the delegation pipeline records every step of every run."""

    def start_run(
        self,
        task: Mapping[str, Any],
        decision: Mapping[str, Any],
        worker: str | None,
        model: str | None,
    ) -> str:
        """Record a new run (task and routing decision as JSON data); return its sortable id."""
        ...

    def start_attempt(self, run_id: str, number: int, thread_id: str | None) -> int:
        """Record attempt `number` of a run (and its worker thread); return the attempt's id."""
        ...

    def record_finding(
        self, attempt_id: int, stage: str, rule: str, path: str | None, message: str
    ) -> None:
        """Record one audit finding of an attempt."""
        ...

    def record_gate(
        self, attempt_id: int, name: str, status: str, duration_ms: int, output_tail: str
    ) -> None:
        """Record one gate's result in an attempt."""
        ...

    def finish_attempt(self, attempt_id: int, verdict: str, duration_ms: int) -> None:
        """Record how an attempt ended."""
        ...

    def finish_run(
        self,
        run_id: str,
        verdict: str,
        attempts: int,
        duration_ms: int,
        diff_stat: Mapping[str, Any] | None,
    ) -> None:
        """Record how a run ended: verdict, attempt count, duration and diff stat."""
        ...

    def set_thread(self, run_id: str, thread_id: str) -> None:
        """Record the worker thread a run continues on (for `delegate_reply`)."""
        ...

    def thread_of(self, run_id: str) -> str | None:
        """The worker thread of a run, or None if it never had one."""
        ...

    def get_run(self, run_id: str) -> RunRecord:
        """A whole run with its attempts, findings and gates; `LedgerError` if unknown."""
        ...

    def run_records(self, since: str | None = None, until: str | None = None) -> list[RunRecord]:
        """Whole runs started in [`since`, `until`) (ISO times, UTC unless given), oldest first.

        Reads a bounded number of queries however many runs match (for `baton report`).
        """
        ...

    def list_runs(
        self,
        limit: int = 50,
        since: datetime | None = None,
        worker: str | None = None,
        kind: str | None = None,
        verdict: str | None = None,
    ) -> list[RunSummary]:
        """The newest runs first, filtered by start time, worker, task kind and verdict."""
        ...

    def put_artifact(self, run_id: str, name: str, content: str) -> None:
        """Keep a named artifact of a run (`diff`, `worker.log`...), replacing one of that name."""
        ...

    def get_artifact(self, run_id: str, name: str) -> str:
        """One artifact of a run; `LedgerError` naming the run and what it has if it is missing."""
        ...

    def artifact_names(self, run_id: str) -> list[str]:
        """A run's artifact names, in the order they were first kept."""
        ...

    def mark_applied(self, run_id: str, files: Sequence[str]) -> None:
        """Record that a run's diff reached the lead's tree; `LedgerError` if it already had."""
        ...

    def find_run(self, prefix: str) -> str:
        """The id of the one run whose id starts with `prefix`; `LedgerError` if none or several."""
        ...

    def close(self) -> None:
        """Release the backend's connections; the ledger is unusable afterwards."""
        ...
