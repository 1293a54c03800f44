"""The SQLite ledger: the embedded default, one file at `.baton/ledger.db` in the project.

Threading model: one writer connection per `SqliteLedger`, shared by every thread and guarded
by a lock, so writes are serialised in this process and each one is a single `BEGIN IMMEDIATE`
transaction (SQLite allows one writer per file anyway). Every read opens its own read-only
connection (`mode=ro`), which WAL lets run while the writer writes. The calls block; async code
runs them with `anyio.to_thread.run_sync`, which is safe because of the lock.

Durability: WAL with `synchronous=FULL`. A kill -9 loses nothing committed under NORMAL too,
but FULL also keeps a finished run through a power cut; the ledger takes a few dozen small
writes per run, each run minutes long, so one fsync per commit costs nothing that matters.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from baton.ledger import _artifacts, _rows
from baton.ledger._records import (
    LedgerError,
    RunRecord,
    RunSummary,
    new_run_id,
    no_such_run,
    utc_stamp,
)
from baton.ledger._schema import check_version, migrate

__all__ = ["BUSY_TIMEOUT_MS", "SqliteLedger"]

BUSY_TIMEOUT_MS = 5_000  # another process (a second `baton serve`) may hold the write lock briefly


class SqliteLedger:
    """The `Ledger` on one SQLite file; `read_only=True` never creates or writes it."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._writer: sqlite3.Connection | None = None
        if read_only:
            with self._read() as connection:
                check_version(connection, path)
        else:
            self._writer = self._open_writer()

    def _open_writer(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            migrate(connection, self.path)
        except (OSError, sqlite3.Error) as exc:
            raise self._error("cannot open", exc) from exc
        return connection

    def _error(self, doing: str, exc: Exception) -> LedgerError:
        return LedgerError(
            f"ledger {self.path}: {doing}: {exc}",
            hint="check the file and its directory are writable, or set `[ledger] path`",
        )

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction on the writer connection, committed whole or rolled back."""
        with self._lock:
            writer = self._writer
            if writer is None:
                raise LedgerError(
                    f"ledger {self.path} was opened read-only, or is closed",
                    hint="write through a `SqliteLedger` opened without `read_only`",
                )
            try:
                writer.execute("BEGIN IMMEDIATE")
                yield writer
                writer.execute("COMMIT")
            except sqlite3.Error as exc:
                if writer.in_transaction:
                    writer.execute("ROLLBACK")
                raise self._error("write failed", exc) from exc
            except BaseException:
                if writer.in_transaction:
                    writer.execute("ROLLBACK")
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A fresh read-only connection for one read."""
        try:
            connection = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise self._error("cannot open for reading", exc) from exc
        connection.row_factory = sqlite3.Row
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            yield connection
        except sqlite3.Error as exc:
            raise self._error("read failed", exc) from exc
        finally:
            connection.close()

    def start_run(
        self,
        task: Mapping[str, Any],
        decision: Mapping[str, Any],
        worker: str | None,
        model: str | None,
    ) -> str:
        """Record a new run; return its time-ordered id."""
        run_id = new_run_id()
        with self._write() as db:
            db.execute(
                "INSERT INTO runs (id, started_at, task, decision, kind, route, worker, model)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, utc_stamp(), json.dumps(task), json.dumps(decision),
                 task.get("kind"), decision.get("route"), worker, model),
            )  # fmt: skip
        return run_id

    def start_attempt(self, run_id: str, number: int, thread_id: str | None) -> int:
        """Record an attempt, and its thread as the run's current one; return its id."""
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO attempts (run_id, number, thread_id, started_at) VALUES (?, ?, ?, ?)",
                (run_id, number, thread_id, utc_stamp()),
            )
            if thread_id is not None:
                db.execute("UPDATE runs SET thread_id = ? WHERE id = ?", (thread_id, run_id))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def record_finding(
        self, attempt_id: int, stage: str, rule: str, path: str | None, message: str
    ) -> None:
        """Record one audit finding of an attempt."""
        with self._write() as db:
            db.execute(
                "INSERT INTO findings (attempt_id, stage, rule, path, message)"
                " VALUES (?, ?, ?, ?, ?)",
                (attempt_id, stage, rule, path, message),
            )

    def record_gate(
        self, attempt_id: int, name: str, status: str, duration_ms: int, output_tail: str
    ) -> None:
        """Record one gate's result in an attempt."""
        with self._write() as db:
            db.execute(
                "INSERT INTO gates (attempt_id, name, status, duration_ms, output_tail)"
                " VALUES (?, ?, ?, ?, ?)",
                (attempt_id, name, status, duration_ms, output_tail),
            )

    def finish_attempt(self, attempt_id: int, verdict: str, duration_ms: int) -> None:
        """Record how an attempt ended."""
        self._update("attempts", attempt_id, verdict=verdict, duration_ms=duration_ms)

    def finish_run(
        self,
        run_id: str,
        verdict: str,
        attempts: int,
        duration_ms: int,
        diff_stat: Mapping[str, Any] | None,
    ) -> None:
        """Record how a run ended."""
        stat = json.dumps(diff_stat) if diff_stat is not None else None
        self._update(
            "runs", run_id, verdict=verdict, attempts=attempts, duration_ms=duration_ms,
            diff_stat=stat, finished_at=utc_stamp(),
        )  # fmt: skip

    def set_thread(self, run_id: str, thread_id: str) -> None:
        """Record the worker thread a run continues on."""
        self._update("runs", run_id, thread_id=thread_id)

    def _update(self, table: str, key: str | int, **values: Any) -> None:
        """Set columns of one row (names from this module only); `LedgerError` if it is absent."""
        assignments = ", ".join(f"{column} = ?" for column in values)
        with self._write() as db:
            cursor = db.execute(
                f"UPDATE {table} SET {assignments} WHERE id = ?", (*values.values(), key)
            )
            if cursor.rowcount != 1:
                raise LedgerError(f"ledger {self.path}: no {table[:-1]} {key!r} to update")

    def thread_of(self, run_id: str) -> str | None:
        """The worker thread of a run, or None."""
        with self._read() as db:
            row = db.execute("SELECT thread_id FROM runs WHERE id = ?", (run_id,)).fetchone()
        return row["thread_id"] if row else None

    def get_run(self, run_id: str) -> RunRecord:
        """A whole run; `LedgerError` if the ledger has no such run."""
        with self._read() as db:
            records = _rows.run_records(db, "runs.id = ?", (run_id,))
        if not records:
            raise no_such_run(self.path, run_id)
        return records[0]

    def run_records(self, since: str | None = None, until: str | None = None) -> list[RunRecord]:
        """Whole runs started in [`since`, `until`) (ISO times, UTC unless given), oldest first."""
        where, params = _rows.window_clause(self.path, since, until)
        with self._read() as db:
            return _rows.run_records(db, where, params)

    def list_runs(
        self,
        limit: int = 50,
        since: datetime | None = None,
        worker: str | None = None,
        kind: str | None = None,
        verdict: str | None = None,
    ) -> list[RunSummary]:
        """The newest runs first, filtered."""
        sql, params = _rows.list_query(limit, since, worker, kind, verdict)
        with self._read() as db:
            return [_rows.run_summary(row) for row in db.execute(sql, params)]

    def put_artifact(self, run_id: str, name: str, content: str) -> None:
        """Keep a named artifact of a run, replacing one of that name."""
        with self._write() as db:
            _artifacts.put(db, self.path, run_id, name, content)

    def get_artifact(self, run_id: str, name: str) -> str:
        """One artifact of a run; `LedgerError` naming what the run has if it lacks this one."""
        with self._read() as db:
            return _artifacts.get(db, self.path, run_id, name)

    def artifact_names(self, run_id: str) -> list[str]:
        """A run's artifact names, in the order they were first kept."""
        with self._read() as db:
            return _artifacts.names(db, run_id)

    def mark_applied(self, run_id: str, files: Sequence[str]) -> None:
        """Record that a run's diff was applied; `LedgerError` if it already was."""
        with self._write() as db:
            _artifacts.mark_applied(db, self.path, run_id, files)

    def find_run(self, prefix: str) -> str:
        """The id of the one run starting with `prefix`; `LedgerError` if none or several."""
        with self._read() as db:
            return _rows.find_run(db, self.path, prefix)

    def close(self) -> None:
        """Close the writer connection (a checkpoint happens on close)."""
        with self._lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
