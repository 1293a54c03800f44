"""A run's artifacts (its diff, logs, fingerprints) and its apply mark, as SQL on one connection.

Artifacts live in the ledger rather than as loose files so every replica sharing the ledger can
serve them. Content is kept as UTF-8 bytes with surrogate escapes, so a diff of files that are
not UTF-8 comes back byte for byte. Callers store only what may be kept: redacted logs, never
tokens.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from baton.ledger._records import LedgerError, no_such_run, utc_stamp

__all__ = ["get", "mark_applied", "names", "put"]


def _require_run(connection: sqlite3.Connection, path: Path, run_id: str) -> None:
    if connection.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
        raise no_such_run(path, run_id)


def put(connection: sqlite3.Connection, path: Path, run_id: str, name: str, content: str) -> None:
    """Keep a named artifact of a run, replacing one of that name in place."""
    _require_run(connection, path, run_id)
    connection.execute(
        "INSERT INTO artifacts (run_id, name, content) VALUES (?, ?, ?)"
        " ON CONFLICT (run_id, name) DO UPDATE SET content = excluded.content",
        (run_id, name, content.encode("utf-8", "surrogateescape")),
    )


def names(connection: sqlite3.Connection, run_id: str) -> list[str]:
    """A run's artifact names in the order they were first kept."""
    rows = connection.execute("SELECT name FROM artifacts WHERE run_id = ? ORDER BY id", (run_id,))
    return [row[0] for row in rows]


def get(connection: sqlite3.Connection, path: Path, run_id: str, name: str) -> str:
    """One artifact's text; `LedgerError` naming the run and the artifacts it does have."""
    row = connection.execute(
        "SELECT content FROM artifacts WHERE run_id = ? AND name = ?", (run_id, name)
    ).fetchone()
    if row is not None:
        return bytes(row[0]).decode("utf-8", "surrogateescape")
    _require_run(connection, path, run_id)
    kept = names(connection, run_id)
    raise LedgerError(
        f"ledger {path}: run {run_id} has no artifact {name!r}"
        f" (it has: {', '.join(kept) if kept else 'none'})",
        hint=f"`baton runs show {run_id}` says how far the run got; artifacts are kept as it goes",
    )


def mark_applied(
    connection: sqlite3.Connection, path: Path, run_id: str, files: Sequence[str]
) -> None:
    """Record that a run's diff reached the lead's tree; `LedgerError` if it already had."""
    cursor = connection.execute(
        "UPDATE runs SET applied_at = ?, applied_files = ? WHERE id = ? AND applied_at IS NULL",
        (utc_stamp(), json.dumps(list(files)), run_id),
    )
    if cursor.rowcount == 1:
        return
    _require_run(connection, path, run_id)
    (applied_at,) = connection.execute(
        "SELECT applied_at FROM runs WHERE id = ?", (run_id,)
    ).fetchone()
    raise LedgerError(
        f"ledger {path}: run {run_id} was already applied at {applied_at}",
        hint="a diff is applied once; delegate the task again for another change",
    )
