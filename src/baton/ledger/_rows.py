"""Turning SQLite rows into ledger records, and the queries behind `list_runs` and `find_run`."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from baton.ledger._records import (
    Attempt,
    Finding,
    GateResult,
    LedgerError,
    RunRecord,
    RunSummary,
    utc_stamp,
)

__all__ = ["attempts_of", "find_run", "list_query", "run_record", "run_summary"]

SUMMARY_COLUMNS = (
    "id, started_at, finished_at, kind, route, worker, model, verdict, attempts, duration_ms,"
    " applied_at"
)
_SHOWN = 10  # candidates named when a prefix is ambiguous
_LIST_HINT = "`baton runs` lists the recorded runs and their ids"


def run_summary(row: sqlite3.Row) -> RunSummary:
    """A `RunSummary` from a row selected with `SUMMARY_COLUMNS`."""
    return RunSummary(**{key: row[key] for key in row.keys()})  # noqa: SIM118 (a Row iterates values)


def run_record(row: sqlite3.Row, attempts: tuple[Attempt, ...]) -> RunRecord:
    """A whole `RunRecord` from a `SELECT *` row of `runs` and its attempts."""
    summary = {key: row[key] for key in SUMMARY_COLUMNS.split(", ")}
    return RunRecord(
        **summary,
        task=json.loads(row["task"]),
        decision=json.loads(row["decision"]),
        thread_id=row["thread_id"],
        diff_stat=json.loads(row["diff_stat"]) if row["diff_stat"] else None,
        attempt_records=attempts,
        applied_files=tuple(json.loads(row["applied_files"])) if row["applied_files"] else (),
    )


def attempts_of(connection: sqlite3.Connection, run_id: str) -> tuple[Attempt, ...]:
    """A run's attempts in order, each with its findings and gates in recorded order."""
    rows = connection.execute(
        "SELECT * FROM attempts WHERE run_id = ? ORDER BY number", (run_id,)
    ).fetchall()
    return tuple(_attempt(connection, row) for row in rows)


def _attempt(connection: sqlite3.Connection, row: sqlite3.Row) -> Attempt:
    findings = connection.execute(
        "SELECT stage, rule, path, message FROM findings WHERE attempt_id = ? ORDER BY id",
        (row["id"],),
    ).fetchall()
    gates = connection.execute(
        "SELECT name, status, duration_ms, output_tail FROM gates WHERE attempt_id = ? ORDER BY id",
        (row["id"],),
    ).fetchall()
    return Attempt(
        id=row["id"],
        number=row["number"],
        thread_id=row["thread_id"],
        started_at=row["started_at"],
        verdict=row["verdict"],
        duration_ms=row["duration_ms"],
        findings=tuple(Finding(*finding) for finding in findings),
        gates=tuple(GateResult(*gate) for gate in gates),
    )


def list_query(
    limit: int,
    since: datetime | None,
    worker: str | None,
    kind: str | None,
    verdict: str | None,
) -> tuple[str, list[Any]]:
    """The SQL and parameters of `list_runs`: newest first, every given filter applied."""
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("worker", worker), ("kind", kind), ("verdict", verdict)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if since is not None:
        clauses.append("started_at >= ?")
        params.append(utc_stamp(since))
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = f"SELECT {SUMMARY_COLUMNS} FROM runs{where} ORDER BY id DESC LIMIT ?"
    return sql, [*params, limit]


def find_run(connection: sqlite3.Connection, path: Path, prefix: str) -> str:
    """The one run whose id starts with `prefix`; `LedgerError` naming candidates otherwise."""
    if not prefix.strip():
        raise LedgerError(f"ledger {path}: an empty run id", hint=_LIST_HINT)
    rows = connection.execute(
        "SELECT id FROM runs WHERE substr(id, 1, ?) = ? ORDER BY id DESC LIMIT ?",
        (len(prefix), prefix, _SHOWN + 1),
    ).fetchall()
    ids = [row[0] for row in rows]
    if len(ids) == 1 or prefix in ids:
        return prefix if prefix in ids else str(ids[0])
    if not ids:
        raise LedgerError(f"ledger {path}: no run {prefix!r}", hint=_LIST_HINT)
    shown = ", ".join(ids[:_SHOWN]) + (", …" if len(ids) > _SHOWN else "")
    raise LedgerError(
        f"ledger {path}: run id {prefix!r} is ambiguous; the runs it starts: {shown}",
        hint="type more of the id; `baton runs` lists the recorded runs and their ids",
    )
