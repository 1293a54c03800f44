"""The SQLite ledger's schema: one idempotent constant, and the `user_version` steps to reach it.

`SCHEMA` is the current shape and may run any number of times (every statement is
`IF NOT EXISTS`); a new file gets it whole. An older file is brought forward by the steps in
`_MIGRATIONS`, each in its own transaction that first re-reads the version, so two processes
opening one old file at once migrate it once. A file whose `user_version` is newer than this
Baton's is refused rather than written by code that does not know its shape. A later schema
change edits `SCHEMA`, adds the step from the version before to `_MIGRATIONS` and bumps
`SCHEMA_VERSION`; a test checks that the steps and `SCHEMA` give the same shape.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from baton.ledger._records import LedgerError

__all__ = ["SCHEMA", "SCHEMA_VERSION", "check_version", "migrate"]

SCHEMA_VERSION = 2

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
    diff_stat   TEXT,
    applied_at  TEXT,
    applied_files TEXT
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
# Content is bytes (UTF-8, surrogate-escaped) so a diff of non-UTF-8 files round-trips exactly.
_ARTIFACTS = """
CREATE TABLE IF NOT EXISTS artifacts (
    id      INTEGER PRIMARY KEY,
    run_id  TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    content BLOB NOT NULL,
    UNIQUE (run_id, name)
)"""
SCHEMA += f"{_ARTIFACTS};\n"

# version reached -> the statements that reach it from the version before
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: (
        "ALTER TABLE runs ADD COLUMN applied_at TEXT",
        "ALTER TABLE runs ADD COLUMN applied_files TEXT",
        _ARTIFACTS,
    ),
}


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
    """Bring the file to `SCHEMA_VERSION`: a new file in one step, an older one step by step."""
    version = check_version(connection, path)
    if version == 0:
        _step(connection, SCHEMA_VERSION, tuple(s for s in SCHEMA.split(";") if s.strip()))
        return
    for target in range(version + 1, SCHEMA_VERSION + 1):
        _step(connection, target, _MIGRATIONS[target])
    connection.executescript(SCHEMA)  # idempotent: repairs a dropped index, costs nothing


def _step(connection: sqlite3.Connection, target: int, statements: tuple[str, ...]) -> None:
    """Run one step and bump the version in one transaction, unless another process just did."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        (current,) = connection.execute("PRAGMA user_version").fetchone()
        if current < target:
            for statement in statements:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {target}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
