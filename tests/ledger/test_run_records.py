"""`run_records`: whole runs over a window, oldest first, in a fixed number of queries."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from baton.ledger import LedgerError, SqliteLedger, utc_stamp
from baton.ledger import sqlite as sqlite_module
from tests.ledger.test_sqlite import record_full_run


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[SqliteLedger]:
    opened = SqliteLedger(tmp_path / "ledger.db")
    yield opened
    opened.close()


def test_whole_runs_oldest_first_equal_to_get_run(ledger: SqliteLedger) -> None:
    first = record_full_run(ledger, worker="codex")
    running = ledger.start_run({"goal": "g"}, {"route": "worker"}, "reviewer", None)
    ledger.start_attempt(running, 1, None)
    lead = ledger.start_run({"goal": "g"}, {"route": "lead"}, None, None)
    records = ledger.run_records()
    assert [run.id for run in records] == [first, running, lead]
    assert records == [ledger.get_run(run_id) for run_id in (first, running, lead)]
    gates = [gate.name for gate in records[0].attempt_records[1].gates]
    assert gates == ["lint", "test"] and records[0].attempt_records[0].findings[0].rule == "scope"
    assert [a.verdict for a in records[1].attempt_records] == [None]
    assert records[2].attempt_records == ()


def test_the_window_is_since_inclusive_until_exclusive(ledger: SqliteLedger) -> None:
    run_id = record_full_run(ledger)
    started = ledger.get_run(run_id).started_at
    moment = datetime.fromisoformat(started)
    assert [run.id for run in ledger.run_records(since=started)] == [run_id]
    assert ledger.run_records(until=started) == []
    later = utc_stamp(moment + timedelta(milliseconds=1))
    assert ledger.run_records(since=later) == []
    assert [run.id for run in ledger.run_records(until=later)] == [run_id]
    # a time with an offset is converted; one without is UTC
    before = moment - timedelta(seconds=1)
    tokyo = before.astimezone(timezone(timedelta(hours=9))).isoformat()
    assert len(ledger.run_records(since=tokyo)) == 1
    assert len(ledger.run_records(until=before.replace(tzinfo=None).isoformat())) == 0
    assert len(ledger.run_records(until=tokyo.replace("+09:00", ""))) == 1  # 9 hours later
    with pytest.raises(LedgerError, match="'last week' is not an ISO date"):
        ledger.run_records(since="last week")


def test_the_number_of_queries_does_not_grow_with_the_runs(
    ledger: SqliteLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements: list[str] = []
    connect = sqlite3.connect

    def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = connect(*args, **kwargs)
        connection.set_trace_callback(statements.append)
        return connection

    monkeypatch.setattr(sqlite_module.sqlite3, "connect", traced)

    def selects() -> int:
        statements.clear()
        ledger.run_records()
        return sum(statement.lstrip().upper().startswith("SELECT") for statement in statements)

    record_full_run(ledger)
    few = selects()
    for _ in range(20):
        record_full_run(ledger)
    assert selects() == few <= 4
