"""The SQLite ledger on real files: round trips, filters, reopening, concurrency and schema."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest

from baton.config import BatonConfig
from baton.ledger import (
    SCHEMA_VERSION,
    Finding,
    GateResult,
    Ledger,
    LedgerError,
    SqliteLedger,
    ledger_path,
)

TASK = {"goal": "Add GET /health", "scope": ["src/health/*"], "kind": "test generation"}
DECISION = {"route": "worker", "rule": "worker", "reasons": ["single module"]}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / ".baton" / "ledger.db"


@pytest.fixture
def ledger(db: Path) -> Iterator[SqliteLedger]:
    opened = SqliteLedger(db)
    yield opened
    opened.close()


def record_full_run(ledger: Ledger, worker: str = "codex", verdict: str = "passed") -> str:
    """A run with a failed first attempt (a finding) and a passing second one (two gates)."""
    run_id = ledger.start_run(TASK, DECISION, worker, "gpt-5")
    first = ledger.start_attempt(run_id, 1, "thread-1")
    ledger.record_finding(first, "spec", "scope", "docs/x.md", "changed outside scope")
    ledger.finish_attempt(first, "spec_failed", 1200)
    second = ledger.start_attempt(run_id, 2, "thread-1")
    ledger.record_gate(second, "lint", "passed", 310, "All checks passed!")
    ledger.record_gate(second, "test", "passed", 2500, "3 passed")
    ledger.finish_attempt(second, "passed", 4000)
    ledger.finish_run(run_id, verdict, 2, 5300, {"files": 2, "insertions": 10, "deletions": 1})
    return run_id


def test_a_full_run_round_trips(ledger: SqliteLedger) -> None:
    run = ledger.get_run(record_full_run(ledger))
    assert (run.verdict, run.attempts, run.duration_ms) == ("passed", 2, 5300)
    assert (run.kind, run.route, run.worker, run.model) == (
        "test generation",
        "worker",
        "codex",
        "gpt-5",
    )
    assert run.task == TASK and run.decision == DECISION and run.thread_id == "thread-1"
    assert run.diff_stat == {"files": 2, "insertions": 10, "deletions": 1}
    assert run.finished_at is not None and run.finished_at >= run.started_at
    first, second = run.attempt_records
    assert first.findings == (Finding("spec", "scope", "docs/x.md", "changed outside scope"),)
    assert (first.verdict, first.gates) == ("spec_failed", ())
    assert [gate.name for gate in second.gates] == ["lint", "test"]
    assert second.gates[1] == GateResult("test", "passed", 2500, "3 passed")
    assert run.to_dict()["attempt_records"][0]["findings"][0]["rule"] == "scope"


def test_an_unfinished_run_reads_as_running(ledger: SqliteLedger) -> None:
    run_id = ledger.start_run(TASK, DECISION, None, None)
    run = ledger.get_run(run_id)
    assert (run.verdict, run.finished_at, run.attempts, run.attempt_records) == (None, None, 0, ())
    assert ledger.thread_of(run_id) is None
    ledger.set_thread(run_id, "thread-9")
    assert ledger.thread_of(run_id) == "thread-9"


def test_list_runs_is_newest_first_and_filters(ledger: SqliteLedger) -> None:
    ids = [
        record_full_run(ledger, "codex", "passed"),
        record_full_run(ledger, "codex", "fallback"),
        record_full_run(ledger, "claude", "passed"),
    ]
    assert ids == sorted(ids)
    assert [run.id for run in ledger.list_runs()] == ids[::-1]
    assert [run.id for run in ledger.list_runs(limit=1)] == ids[2:]
    assert [run.id for run in ledger.list_runs(worker="codex")] == ids[1::-1]
    assert [run.id for run in ledger.list_runs(verdict="fallback")] == [ids[1]]
    assert [run.id for run in ledger.list_runs(worker="claude", verdict="fallback")] == []
    assert len(ledger.list_runs(kind="test generation")) == 3
    assert ledger.list_runs(kind="architecture design") == []
    assert len(ledger.list_runs(since=datetime.now(UTC) - timedelta(minutes=5))) == 3
    assert ledger.list_runs(since=datetime.now(UTC) + timedelta(minutes=5)) == []


def test_runs_survive_close_and_reopen(db: Path) -> None:
    first = SqliteLedger(db)
    run_id = record_full_run(first)
    first.close()
    with pytest.raises(LedgerError, match="closed"):
        first.start_run(TASK, DECISION, None, None)
    again = SqliteLedger(db)
    assert again.get_run(run_id).attempts == 2
    assert SqliteLedger(db, read_only=True).get_run(run_id).verdict == "passed"
    again.close()


def test_mistakes_are_ledger_errors_naming_the_file(ledger: SqliteLedger, db: Path) -> None:
    with pytest.raises(LedgerError, match=f"{db}: no run 'nope'"):
        ledger.get_run("nope")
    with pytest.raises(LedgerError, match="no run 'nope' to update"):
        ledger.finish_run("nope", "passed", 1, 1, None)
    with pytest.raises(LedgerError, match="FOREIGN KEY"):
        ledger.start_attempt("nope", 1, None)
    with pytest.raises(LedgerError, match="read-only"):
        SqliteLedger(db, read_only=True).set_thread("nope", "t")


def test_readers_see_committed_runs_while_one_writes(ledger: SqliteLedger) -> None:
    written: list[str] = []
    writer = threading.Thread(
        target=lambda: written.extend(record_full_run(ledger) for _ in range(30))
    )
    writer.start()
    finished = 0
    while writer.is_alive():
        reader = SqliteLedger(ledger.path, read_only=True)
        done = [run for run in reader.list_runs(limit=100) if run.verdict is not None]
        assert len(done) >= finished, "a reader saw a finished run disappear"
        assert all(len(reader.get_run(run.id).attempt_records) == 2 for run in done)
        finished = len(done)
    writer.join()
    assert {run.id for run in ledger.list_runs(limit=100)} == set(written)
    assert len(written) == 30


@pytest.mark.anyio
async def test_async_callers_share_the_writer_through_threads(ledger: SqliteLedger) -> None:
    async def record_in_a_thread() -> None:
        await anyio.to_thread.run_sync(record_full_run, ledger)

    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(record_in_a_thread)
    assert len(ledger.list_runs(limit=100)) == 20


def test_the_schema_is_applied_once_and_stays_valid(db: Path) -> None:
    first, second = SqliteLedger(db), SqliteLedger(db)
    record_full_run(second)
    first.close()
    second.close()
    SqliteLedger(db).close()
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        names = {name for (name,) in tables}
        assert names == {"runs", "attempts", "findings", "gates", "artifacts"}
    connection.close()


def test_a_ledger_from_a_newer_baton_is_refused(db: Path) -> None:
    SqliteLedger(db).close()
    connection = sqlite3.connect(db)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    for read_only in (False, True):
        with pytest.raises(LedgerError, match="newer than this Baton's") as caught:
            SqliteLedger(db, read_only=read_only)
        assert caught.value.hint is not None and "upgrade Baton" in caught.value.hint


def test_the_path_is_taken_from_the_project_root(tmp_path: Path) -> None:
    config = BatonConfig(project_file=tmp_path / "baton.toml")
    assert ledger_path(config) == tmp_path / ".baton" / "ledger.db"
    config.ledger.path = Path("/elsewhere/runs.db")
    assert ledger_path(config) == Path("/elsewhere/runs.db")
