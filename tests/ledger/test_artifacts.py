"""A run's artifacts, its apply mark and short run ids, on real SQLite files."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from baton.ledger import LedgerError, SqliteLedger

TASK = {"goal": "Add GET /health", "kind": "test generation"}
DECISION = {"route": "worker"}
DIFF = "diff --git a/x b/x\n+caf\udce9 in Latin-1\nGIT binary patch\nliteral 3\nKcmZ?\n"


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[SqliteLedger]:
    opened = SqliteLedger(tmp_path / ".baton" / "ledger.db")
    yield opened
    opened.close()


@pytest.fixture
def run_id(ledger: SqliteLedger) -> str:
    return ledger.start_run(TASK, DECISION, "codex", "gpt-5")


def test_artifacts_round_trip_byte_for_byte(ledger: SqliteLedger, run_id: str) -> None:
    ledger.put_artifact(run_id, "diff", DIFF)
    ledger.put_artifact(run_id, "empty", "")
    assert ledger.get_artifact(run_id, "diff") == DIFF
    assert ledger.get_artifact(run_id, "empty") == ""
    assert SqliteLedger(ledger.path, read_only=True).get_artifact(run_id, "diff") == DIFF


def test_putting_a_name_again_replaces_it_in_its_place(ledger: SqliteLedger, run_id: str) -> None:
    for name in ("worker.log", "diff", "gates.log", "base.json"):
        ledger.put_artifact(run_id, name, f"first {name}")
    ledger.put_artifact(run_id, "diff", "second diff")
    assert ledger.artifact_names(run_id) == ["worker.log", "diff", "gates.log", "base.json"]
    assert ledger.get_artifact(run_id, "diff") == "second diff"
    other = ledger.start_run(TASK, DECISION, "codex", None)
    assert ledger.artifact_names(other) == []


def test_a_missing_artifact_names_the_run_and_what_it_has(
    ledger: SqliteLedger, run_id: str
) -> None:
    ledger.put_artifact(run_id, "worker.log", "log")
    ledger.put_artifact(run_id, "result.json", "{}")
    with pytest.raises(LedgerError) as missing:
        ledger.get_artifact(run_id, "diff")
    message = str(missing.value)
    assert f"run {run_id} has no artifact 'diff' (it has: worker.log, result.json)" in message
    assert str(ledger.path) in message and f"baton runs show {run_id}" in message
    bare = ledger.start_run(TASK, DECISION, None, None)
    with pytest.raises(LedgerError, match=r"has no artifact 'diff' \(it has: none\)"):
        ledger.get_artifact(bare, "diff")


def test_artifacts_of_an_unknown_run_are_a_clear_error(ledger: SqliteLedger) -> None:
    with pytest.raises(LedgerError, match="no run 'nope'"):
        ledger.put_artifact("nope", "diff", DIFF)
    with pytest.raises(LedgerError, match="no run 'nope'"):
        ledger.get_artifact("nope", "diff")
    assert ledger.artifact_names("nope") == []


def test_artifacts_go_when_their_run_is_deleted(ledger: SqliteLedger, run_id: str) -> None:
    ledger.put_artifact(run_id, "diff", DIFF)
    kept = ledger.start_run(TASK, DECISION, "codex", None)
    ledger.put_artifact(kept, "diff", "kept")
    ledger.close()
    with sqlite3.connect(ledger.path) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        rows = connection.execute("SELECT run_id FROM artifacts").fetchall()
    connection.close()
    assert rows == [(kept,)]


def test_a_run_is_marked_applied_once(ledger: SqliteLedger, run_id: str) -> None:
    assert ledger.get_run(run_id).applied_at is None
    assert ledger.list_runs()[0].applied_at is None
    ledger.mark_applied(run_id, ["src/app.py", "src/new.py"])
    run = ledger.get_run(run_id)
    assert run.applied_at is not None and run.applied_at >= run.started_at
    assert run.applied_files == ("src/app.py", "src/new.py")
    assert ledger.list_runs()[0].applied_at == run.applied_at
    assert run.to_dict()["applied_at"] == run.applied_at
    with pytest.raises(LedgerError, match=f"already applied at {run.applied_at}"):
        ledger.mark_applied(run_id, ["src/app.py"])
    assert ledger.get_run(run_id).applied_files == ("src/app.py", "src/new.py")
    with pytest.raises(LedgerError, match="no run 'nope'"):
        ledger.mark_applied("nope", [])


IDS = [f"20260101T000000{n:06d}Z-aaaa{n:04d}" for n in range(12)] + ["20260202T000000000000Z-bb"]


def with_runs(ledger: SqliteLedger, ids: list[str]) -> None:
    """Runs with chosen ids, written as `start_run` would."""
    with sqlite3.connect(ledger.path) as connection:
        connection.executemany(
            "INSERT INTO runs (id, started_at, task, decision) VALUES (?, '', '{}', '{}')",
            [(run_id,) for run_id in ids],
        )
    connection.close()


@pytest.mark.parametrize(
    ("prefix", "found"),
    [
        (IDS[3], IDS[3]),
        (IDS[3][:-1], IDS[3]),
        ("202602", IDS[12]),
        ("20260101T000000000011", IDS[11]),
    ],
)
def test_a_unique_prefix_finds_its_run(ledger: SqliteLedger, prefix: str, found: str) -> None:
    with_runs(ledger, IDS)
    assert ledger.find_run(prefix) == found


def test_a_whole_id_is_found_even_if_it_begins_another(ledger: SqliteLedger) -> None:
    with_runs(ledger, ["20260101T000000000000Z-ab", "20260101T000000000000Z-abc"])
    assert ledger.find_run("20260101T000000000000Z-ab") == "20260101T000000000000Z-ab"


@pytest.mark.parametrize(
    ("prefix", "error"),
    [
        ("", "an empty run id"),
        ("   ", "an empty run id"),
        ("nope", "no run 'nope'"),
        ("%", "no run '%'"),
        ("2026010_", "no run '2026010_'"),
        ("2026", "run id '2026' is ambiguous; the runs it starts: " + ", ".join(
            sorted(IDS, reverse=True)[:10]) + ", …"),
        ("20260101T00000000001", "the runs it starts: " + ", ".join(
            sorted(IDS[10:12], reverse=True))),
    ],
)  # fmt: skip
def test_a_prefix_matching_no_run_or_several_is_an_error(
    ledger: SqliteLedger, prefix: str, error: str
) -> None:
    with_runs(ledger, IDS)
    with pytest.raises(LedgerError) as failed:
        ledger.find_run(prefix)
    message = str(failed.value)
    assert error in message and str(ledger.path) in message and "baton runs" in message


def concurrently(*actions: Callable[[], None]) -> list[BaseException | None]:
    """Run each action in its own thread, released together; what each raised, if anything."""
    start = threading.Barrier(len(actions))
    outcomes: list[BaseException | None] = [None] * len(actions)

    def run(index: int) -> None:
        start.wait(timeout=30)
        try:
            actions[index]()
        except BaseException as error:
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_writers_on_one_file_apply_a_run_once_and_keep_every_artifact(
    ledger: SqliteLedger, run_id: str
) -> None:
    first, second = SqliteLedger(ledger.path), SqliteLedger(ledger.path)
    try:
        outcomes = concurrently(
            lambda: first.mark_applied(run_id, ["a"]),
            lambda: second.mark_applied(run_id, ["b"]),
            *(lambda n=n: first.put_artifact(run_id, f"log-{n}", "x" * 10_000) for n in range(5)),
            *(lambda n=n: second.put_artifact(run_id, f"log-{n}", "y" * 10_000) for n in range(5)),
        )
    finally:
        first.close()
        second.close()
    marks, puts = outcomes[:2], outcomes[2:]
    assert puts == [None] * 10
    assert sorted(type(outcome).__name__ for outcome in marks) == ["LedgerError", "NoneType"]
    assert "already applied" in str(next(o for o in marks if o is not None))
    assert ledger.get_run(run_id).applied_files in (("a",), ("b",))
    assert sorted(ledger.artifact_names(run_id)) == [f"log-{n}" for n in range(5)]
    assert {ledger.get_artifact(run_id, "log-0")} <= {"x" * 10_000, "y" * 10_000}
