"""`kill -9` of a process writing the ledger: it reopens consistent, no finished run lost."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from baton.ledger import SqliteLedger

# Records complete runs forever, printing each run's id (flushed) once `finish_run` returned.
WRITER = """
import sys
from pathlib import Path
from baton.ledger import SqliteLedger

ledger = SqliteLedger(Path(sys.argv[1]))
while True:
    run_id = ledger.start_run({"goal": "crash", "kind": "test generation"}, {"route": "worker"},
                              "codex", "gpt-5")
    attempt = ledger.start_attempt(run_id, 1, "thread-" + run_id)
    ledger.record_finding(attempt, "quality", "secret", "a.py", "token-like string")
    ledger.record_gate(attempt, "lint", "passed", 5, "ok " * 200)
    ledger.record_gate(attempt, "test", "failed", 9, "1 failed " * 200)
    ledger.finish_attempt(attempt, "needs_fix", 20)
    ledger.finish_run(run_id, "needs_fix", 1, 25, {"files": 1})
    print(run_id, flush=True)
"""

RUNS_BEFORE_KILL = 8
KILLS = 3  # each kill lands at a different point of a run's seven transactions
READ_DEADLINE_S = 60.0  # a loaded CI machine may start Python slowly; the writer never blocks


def write_then_kill(db: Path) -> list[str]:
    """Start the writer, let it finish some runs, SIGKILL it mid-stream; the ids it printed."""
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    finished: list[str] = []
    deadline = time.monotonic() + READ_DEADLINE_S
    while len(finished) < RUNS_BEFORE_KILL:
        line = child.stdout.readline()
        assert line and time.monotonic() < deadline, "the writer stopped before the kill"
        finished.append(line.strip())
    child.kill()  # SIGKILL: no handler, no atexit, no checkpoint
    child.wait(timeout=30)
    finished.extend(line.strip() for line in child.stdout if line.strip())
    child.stdout.close()
    return finished


def assert_complete(ledger: SqliteLedger, run_id: str) -> None:
    run = ledger.get_run(run_id)
    assert (run.verdict, run.attempts, run.thread_id) == ("needs_fix", 1, f"thread-{run_id}")
    (attempt,) = run.attempt_records
    assert attempt.verdict == "needs_fix" and len(attempt.findings) == 1
    assert [gate.status for gate in attempt.gates] == ["passed", "failed"]


def test_a_killed_writer_loses_no_finished_run(tmp_path: Path) -> None:
    db = tmp_path / ".baton" / "ledger.db"
    finished: list[str] = []
    for _ in range(KILLS):
        finished += write_then_kill(db)
        with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        connection.close()
        ledger = SqliteLedger(db)  # reopening as the writer recovers the WAL
        for run_id in finished:
            assert_complete(ledger, run_id)
        ledger.close()
    assert len(set(finished)) == len(finished) >= KILLS * RUNS_BEFORE_KILL
