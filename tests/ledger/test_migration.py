"""Schema version 1 files, as Baton first wrote them, open under version 2 with nothing lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from baton.ledger import SCHEMA_VERSION, LedgerError, SqliteLedger
from baton.ledger._schema import SCHEMA
from tests.ledger.test_artifacts import concurrently

# The schema of version 1, frozen as it shipped: files written with it must keep opening.
SCHEMA_V1 = """
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

RUN_ID = "20260101T000000000000Z-0a0b0c0d"


def write_v1_file(db: Path) -> None:
    """A version-1 ledger holding one finished run with an attempt, a finding and a gate."""
    db.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.executescript(SCHEMA_V1)
    connection.execute(
        "INSERT INTO runs VALUES (?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z',"
        " '{\"goal\": \"g\"}', '{\"route\": \"worker\"}', 'test generation', 'worker', 'codex',"
        " 'gpt-5', 'thread-1', 'passed', 1, 60000, '{\"files\": 1}')",
        (RUN_ID,),
    )
    connection.execute(
        "INSERT INTO attempts VALUES (1, ?, 1, 'thread-1', '2026-01-01T00:00:01.000Z',"
        " 'passed', 59000)",
        (RUN_ID,),
    )
    connection.execute("INSERT INTO findings VALUES (1, 1, 'spec', 'scope', 'x.md', 'outside')")
    connection.execute("INSERT INTO gates VALUES (1, 1, 'lint', 'passed', 40, 'ok')")
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()


def shape(db: Path) -> dict[str, object]:
    """Every table's columns and every index, as SQLite reports them."""
    with sqlite3.connect(db) as connection:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]  # fmt: skip
        found: dict[str, object] = {
            table: connection.execute(f"PRAGMA table_info({table})").fetchall() for table in tables
        }
        found["indexes"] = connection.execute(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()
        found["version"] = connection.execute("PRAGMA user_version").fetchone()
    connection.close()
    return found


def test_a_v1_file_is_migrated_and_its_runs_are_intact(tmp_path: Path) -> None:
    db = tmp_path / ".baton" / "ledger.db"
    write_v1_file(db)
    ledger = SqliteLedger(db)
    run = ledger.get_run(RUN_ID)
    assert (run.verdict, run.worker, run.thread_id, run.diff_stat) == (
        "passed", "codex", "thread-1", {"files": 1},
    )  # fmt: skip
    (attempt,) = run.attempt_records
    assert attempt.findings[0].rule == "scope" and attempt.gates[0].name == "lint"
    assert (run.applied_at, run.applied_files) == (None, ())
    ledger.put_artifact(RUN_ID, "diff", "d")
    ledger.mark_applied(RUN_ID, ["x.md"])
    ledger.close()
    assert shape(db)["version"] == (SCHEMA_VERSION,) == (2,)


def test_migrated_and_new_files_have_the_same_shape(tmp_path: Path) -> None:
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    write_v1_file(old)
    SqliteLedger(old).close()
    SqliteLedger(new).close()
    assert shape(old) == shape(new)


def test_two_processes_opening_a_v1_file_at_once_migrate_it_once(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    write_v1_file(db)
    opened: list[SqliteLedger] = []
    outcomes = concurrently(*(lambda: opened.append(SqliteLedger(db)) for _ in range(4)))
    for ledger in opened:
        ledger.close()
    assert outcomes == [None] * 4
    assert shape(db)["version"] == (SCHEMA_VERSION,)
    assert SqliteLedger(db, read_only=True).get_run(RUN_ID).verdict == "passed"


def test_a_failed_step_leaves_the_file_at_its_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "ledger.db"
    write_v1_file(db)
    broken = {2: ("ALTER TABLE runs ADD COLUMN applied_at TEXT", "NOT SQL")}
    monkeypatch.setattr("baton.ledger._schema._MIGRATIONS", broken)
    with pytest.raises(LedgerError, match='cannot open: near "NOT": syntax error'):
        SqliteLedger(db)
    assert shape(db)["version"] == (1,)
    assert "applied_at" not in str(shape(db)["runs"])
    monkeypatch.undo()
    SqliteLedger(db).close()
    assert shape(db)["version"] == (2,)


def test_the_schema_constant_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    SqliteLedger(db).close()
    before = shape(db)
    with sqlite3.connect(db) as connection:
        connection.executescript(SCHEMA)
        connection.executescript(SCHEMA)
    connection.close()
    assert shape(db) == before
