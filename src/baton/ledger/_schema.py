"""The SQLite ledger's schema: one idempotent constant, and the `user_version` step that applies it.

`SCHEMA` may run any number of times (every statement is `IF NOT EXISTS`). A file whose
`user_version` is newer than this Baton's is refused rather than written by code that does not
know its shape. A later schema change adds an entry to `_MIGRATIONS` and bumps `SCHEMA_VERSION`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from baton.ledger._records import LedgerError

__all__ = ["SCHEMA", "SCHEMA_VERSION", "check_version", "migrate"]

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id          TEXT PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    task        TEXT NOT NULL,
    decision    TEXT NOT NULL,
    kind        TEXT,
    route       TEXT,
    worker      TEXT,
    model       TEXT,
    thread_id   TEXT,
    verdict     TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER,
    diff_stat   TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started_at);
CREATE TABLE IF NOT EXISTS attempts (
    id          INTEGER PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    thread_id   TEXT,
    started_at  TEXT NOT NULL,
    verdict     TEXT,
    duration_ms INTEGER,
    UNIQUE (run_id, number)
);
CREATE TABLE IF NOT EXISTS findings (
    id         INTEGER PRIMARY KEY,
    attempt_id INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    stage      TEXT NOT NULL,
    rule       TEXT NOT NULL,
    path       TEXT,
    message    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_by_attempt ON findings (attempt_id);
CREATE TABLE IF NOT EXISTS gates (
    id          INTEGER PRIMARY KEY,
    attempt_id  INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    output_tail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS gates_by_attempt ON gates (attempt_id);
"""

# version reached -> the script that reaches it from the version before
_MIGRATIONS = {1: SCHEMA}


def check_version(connection: sqlite3.Connection, path: Path) -> int:
    """The file's schema version; `LedgerError` if it is newer than this Baton understands."""
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise LedgerError(
            f"{path}: ledger schema version {version} is newer than this Baton's "
            f"({SCHEMA_VERSION})",
            hint="upgrade Baton, or point `[ledger] path` in baton.toml at another file",
        )
    return int(version)


def migrate(connection: sqlite3.Connection, path: Path) -> None:
    """Bring the file to `SCHEMA_VERSION`, each step and its version bump in one transaction."""
    version = check_version(connection, path)
    for target in range(version + 1, SCHEMA_VERSION + 1):
        try:
            connection.executescript(
                f"BEGIN IMMEDIATE;\n{_MIGRATIONS[target]}\nPRAGMA user_version = {target};\nCOMMIT;"
            )
        except sqlite3.Error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    if version == SCHEMA_VERSION:
        connection.executescript(SCHEMA)  # idempotent: repairs a dropped index, costs nothing
