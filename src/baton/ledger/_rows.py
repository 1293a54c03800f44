"""Turning SQLite rows into ledger records, and the queries behind the ledger's reads."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from baton.ledger._records import (
    RUNS_HINT,
    Attempt,
    Finding,
    GateResult,
    LedgerError,
    RunRecord,
    RunSummary,
    no_such_run,
    parse_utc,
    utc_stamp,
)

__all__ = ["find_run", "list_query", "run_record", "run_records", "run_summary", "window_clause"]

SUMMARY_COLUMNS = (
    "id, started_at, finished_at, kind, route, worker, model, verdict, attempts, duration_ms,"
    " applied_at"
)
_SHOWN = 10  # candidates named when a prefix is ambiguous
_Item = TypeVar("_Item", Finding, GateResult)


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


def run_records(
    connection: sqlite3.Connection, where: str, params: Sequence[Any]
) -> list[RunRecord]:
    """Whole runs matching `where` (a condition on `runs.*`), oldest first, in four queries.

    One query per table however many runs match, all in one read transaction, so a run being
    written meanwhile is seen either before or after each write, never half.
    """
    connection.execute("BEGIN")  # one WAL snapshot for the four reads
    try:
        runs = connection.execute(
            f"SELECT * FROM runs WHERE {where} ORDER BY runs.started_at, runs.id", params
        ).fetchall()
        findings = _by_attempt(connection, _FINDINGS, where, params, Finding)
        gates = _by_attempt(connection, _GATES, where, params, GateResult)
        attempts: dict[str, list[Attempt]] = {}
        for row in connection.execute(_ATTEMPTS.format(where=where), params):
            found, gated = findings.get(row["id"], ()), gates.get(row["id"], ())
            attempts.setdefault(row["run_id"], []).append(_attempt(row, found, gated))
    finally:
        connection.execute("ROLLBACK")
    return [run_record(row, tuple(attempts.get(row["id"], ()))) for row in runs]


_ATTEMPTS = (
    "SELECT attempts.* FROM attempts JOIN runs ON runs.id = attempts.run_id"
    " WHERE {where} ORDER BY attempts.run_id, attempts.number"
)
_FINDINGS = (
    "SELECT findings.attempt_id, stage, rule, path, message FROM findings"
    " JOIN attempts ON attempts.id = findings.attempt_id JOIN runs ON runs.id = attempts.run_id"
    " WHERE {where} ORDER BY findings.id"
)
_GATES = (
    "SELECT gates.attempt_id, name, status, gates.duration_ms, output_tail FROM gates"
    " JOIN attempts ON attempts.id = gates.attempt_id JOIN runs ON runs.id = attempts.run_id"
    " WHERE {where} ORDER BY gates.id"
)


def _by_attempt(
    connection: sqlite3.Connection,
    sql: str,
    where: str,
    params: Sequence[Any],
    record: Callable[..., _Item],
) -> dict[int, tuple[_Item, ...]]:
    """Rows whose first column is an attempt id, as records grouped by attempt in row order."""
    grouped: dict[int, list[_Item]] = {}
    for attempt_id, *values in connection.execute(sql.format(where=where), params):
        grouped.setdefault(attempt_id, []).append(record(*values))
    return {attempt_id: tuple(items) for attempt_id, items in grouped.items()}


def _attempt(
    row: sqlite3.Row, findings: tuple[Finding, ...], gates: tuple[GateResult, ...]
) -> Attempt:
    return Attempt(
        id=row["id"],
        number=row["number"],
        thread_id=row["thread_id"],
        started_at=row["started_at"],
        verdict=row["verdict"],
        duration_ms=row["duration_ms"],
        findings=findings,
        gates=gates,
    )


def window_clause(path: Path, since: str | None, until: str | None) -> tuple[str, list[str]]:
    """The `runs` condition for a start-time window (`since` inclusive, `until` exclusive)."""
    clauses, params = ["1"], []
    for bound, operator in ((since, ">="), (until, "<")):
        if bound is not None:
            clauses.append(f"runs.started_at {operator} ?")
            params.append(_stamp(path, bound))
    return " AND ".join(clauses), params


def _stamp(path: Path, moment: str) -> str:
    """An ISO date or time (no offset: UTC) as the ledger writes stamps, so text order is time."""
    try:
        return utc_stamp(parse_utc(moment))
    except ValueError as exc:
        raise LedgerError(
            f"ledger {path}: {moment!r} is not an ISO date or time",
            hint="give a time such as 2026-11-22T09:00:00Z",
        ) from exc


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
        raise LedgerError(f"ledger {path}: an empty run id", hint=RUNS_HINT)
    rows = connection.execute(
        "SELECT id FROM runs WHERE substr(id, 1, ?) = ? ORDER BY id DESC LIMIT ?",
        (len(prefix), prefix, _SHOWN + 1),
    ).fetchall()
    ids = [row[0] for row in rows]
    if len(ids) == 1 or prefix in ids:
        return prefix if prefix in ids else str(ids[0])
    if not ids:
        raise no_such_run(path, prefix)
    shown = ", ".join(ids[:_SHOWN]) + (", …" if len(ids) > _SHOWN else "")
    raise LedgerError(
        f"ledger {path}: run id {prefix!r} is ambiguous; the runs it starts: {shown}",
        hint=f"type more of the id; {RUNS_HINT}",
    )
