"""Runs for report tests: built as records (pure tests) or recorded through the real ledger."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count

from baton.ledger import Attempt, GateResult, Ledger, RunRecord

_ids = count(1)


def make_run(
    verdict: str | None,
    *,
    attempts: Sequence[Sequence[str]] = (("passed",),),
    route: str = "worker",
    worker: str | None = "codex",
    kind: str | None = "test-generation",
    started_at: str = "2026-11-20T10:00:00.000Z",
) -> RunRecord:
    """A run whose attempts recorded these gate statuses (an empty attempt ran no gates)."""
    number = next(_ids)
    records = tuple(
        Attempt(
            id=number * 100 + index,
            number=index,
            thread_id=None,
            started_at=started_at,
            verdict=verdict,
            duration_ms=1,
            findings=(),
            gates=tuple(GateResult(f"gate{i}", status, 1, "") for i, status in enumerate(gates)),
        )
        for index, gates in enumerate(attempts, start=1)
    )
    return RunRecord(
        id=f"{started_at}-{number:08d}",
        started_at=started_at,
        finished_at=None if verdict is None else started_at,
        kind=kind,
        route=route,
        worker=worker,
        model=None,
        verdict=verdict,
        attempts=0 if verdict is None else len(records),
        duration_ms=None,
        task={"goal": "Add GET /health", "kind": kind},
        decision={"route": route},
        thread_id=None,
        diff_stat=None,
        attempt_records=records,
    )


def record(
    ledger: Ledger,
    verdict: str | None,
    *,
    attempts: Sequence[Sequence[str]] = (("passed",),),
    route: str = "worker",
    worker: str | None = "codex",
    kind: str | None = "test-generation",
    goal: str = "Add GET /health",
) -> str:
    """The same run recorded through the ledger API, as the pipeline records one."""
    task = {"goal": goal, "scope": ["src/health/*"]} | ({"kind": kind} if kind else {})
    run_id = ledger.start_run(task, {"route": route, "rule": "test"}, worker, None)
    for number, gates in enumerate(attempts, start=1):
        attempt = ledger.start_attempt(run_id, number, f"thread-{run_id}")
        if not gates:
            ledger.record_finding(attempt, "spec", "scope", "docs/x.md", "outside the scope")
        for name, status in zip(("format", "lint", "typecheck", "test"), gates, strict=False):
            ledger.record_gate(attempt, name, status, 12, f"{name}: {status}")
        if verdict is not None:
            ledger.finish_attempt(attempt, "retry" if number < len(attempts) else verdict, 30)
    if verdict is not None:
        ledger.finish_run(run_id, verdict, len(attempts), 100, None)
    return run_id


def record_seed(ledger: Ledger) -> None:
    """Seed 000's six Codex delegations (five passed every gate, one fell back to the lead after
    its spec review failed), plus a task the lead kept and one sent back to be split."""
    for _ in range(5):
        record(ledger, "passed", attempts=[["passed", "passed", "passed", "passed"]])
    record(ledger, "fallback", attempts=[[]], kind="scoped-refactoring")
    record(ledger, "lead", attempts=[], route="lead", worker=None, kind="security-change")
    record(ledger, "split", attempts=[], route="split", worker=None, kind=None)
