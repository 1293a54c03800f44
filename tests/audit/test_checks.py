"""Failed acceptance checks and gates become findings; criteria without a check go to the lead."""

from __future__ import annotations

import pytest

from baton.audit import CheckOutcome, GateOutcome, audit_checks, audit_gates, unchecked_criteria
from baton.task import Criterion, Task


@pytest.mark.parametrize(
    ("exit_code", "timed_out", "passed", "says"),
    [
        (0, False, True, None),
        (1, False, False, "exited with code 1"),
        (None, True, False, "timed out"),
        (0, True, False, "timed out"),
        (None, False, False, "could not be run"),
    ],
)
def test_a_check_passes_only_on_exit_0_in_time(
    exit_code: int | None, timed_out: bool, passed: bool, says: str | None
) -> None:
    outcome = CheckOutcome("health returns 200", "pytest -k health", exit_code, "E  500", timed_out)
    assert outcome.passed is passed
    findings = audit_checks([outcome])
    assert len(findings) == (0 if passed else 1)
    for finding in findings:
        assert (finding.stage, finding.rule, finding.path) == ("spec", "acceptance-check", None)
        for word in ("health returns 200", "`pytest -k health`", "E  500", says or ""):
            assert word in finding.message


def test_the_output_tail_is_capped_keeping_its_end() -> None:
    output = "start\n" + "x" * 5_000 + "\nFAILED test_health"
    [finding] = audit_checks([CheckOutcome("ok", "make check", 2, output)])
    assert "FAILED test_health" in finding.message and "start" not in finding.message
    assert len(finding.message) < 1_500 + 200


def test_one_finding_per_failed_check_in_order() -> None:
    outcomes = [CheckOutcome(f"c{i}", f"cmd{i}", code, "") for i, code in enumerate([1, 0, 3])]
    named = [[f"'c{i}'" in f.message for i in range(3)] for f in audit_checks(outcomes)]
    assert named == [[True, False, False], [False, False, True]]


@pytest.mark.parametrize(
    ("status", "flagged"),
    [("passed", False), ("skipped", False), ("failed", True), ("error", True), ("timeout", True)],
)
def test_failed_errored_and_timed_out_gates_become_quality_findings(
    status: str, flagged: bool
) -> None:
    gate = GateOutcome("lint", "ruff check .", status, 120, "E501 too long", 1)  # type: ignore[arg-type]
    findings = audit_gates([gate])
    assert [(f.stage, f.rule) for f in findings] == ([("quality", "gate")] if flagged else [])
    for finding in findings:
        assert "'lint'" in finding.message and "`ruff check .`" in finding.message
        assert "E501 too long" in finding.message


def test_gate_to_dict_holds_every_field() -> None:
    gate = GateOutcome("test", "pytest", "timeout", 60_000, "...", None)
    assert gate.to_dict() == {
        "name": "test",
        "command": "pytest",
        "status": "timeout",
        "duration_ms": 60_000,
        "output_tail": "...",
        "exit_code": None,
    }


TASK = Task(
    goal="Add a health endpoint",
    scope=("src/health.py",),
    acceptance=(
        Criterion(text="GET /health returns 200", check="pytest tests/test_health.py"),
        Criterion(text="the handler is documented"),
        Criterion(text="no new dependency"),
    ),
)


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("  Done: added a docstring.  ", "Done: added a docstring."),
        ("", ""),
    ],
)
def test_criteria_without_a_check_carry_the_workers_claim(claim: str, expected: str) -> None:
    assert unchecked_criteria(TASK, claim) == [
        {"criterion": "the handler is documented", "worker_claim": expected},
        {"criterion": "no new dependency", "worker_claim": expected},
    ]


def test_a_long_claim_is_trimmed() -> None:
    [item, _] = unchecked_criteria(TASK, "word " * 1_000)
    assert len(item["worker_claim"]) <= 500 and item["worker_claim"].endswith("…")


def test_a_task_whose_criteria_all_have_checks_leaves_nothing_to_the_lead() -> None:
    task = Task(goal="g", acceptance=(Criterion(text="t", check="true"),))
    assert unchecked_criteria(task, "claim") == []
