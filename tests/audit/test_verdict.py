"""Every branch of the verdict, and the trace that says which rule decided it."""

from __future__ import annotations

import pytest

from baton.audit import Finding, GateOutcome, Outcome, Verdict, decide_verdict

SCOPE = Finding("spec", "out-of-scope", "src/other.py", "src/other.py is outside the scope")
CHECK = Finding("spec", "acceptance-check", None, "check failed")
SECRET = Finding("security", "secret", "src/app.py", "src/app.py:3: a secret")
DENIED = Finding("security", "denied-path", ".env", ".env is denied")
QUALITY = Finding("quality", "gate", None, "lint failed")


def gate(status: str, name: str = "lint") -> GateOutcome:
    return GateOutcome(name, f"run {name}", status, 10, "")  # type: ignore[arg-type]


PASSED = [gate("passed", "format"), gate("passed", "test")]

CASES = [
    ("clean", 1, 2, [], [], PASSED, False, "passed"),
    ("no gates at all", 1, 2, [], [], [], False, "passed"),
    ("a skipped gate does not fail", 1, 2, [], [], [gate("skipped")], False, "passed"),
    ("secret blocks on the first attempt", 1, 2, [], [SECRET], PASSED, True, "blocked"),
    ("a denied path in the spec list blocks", 1, 2, [DENIED], [], PASSED, False, "blocked"),
    ("security beats spec", 1, 2, [SCOPE], [SECRET], PASSED, False, "blocked"),
    ("spec fails, attempts left", 1, 2, [SCOPE], [], PASSED, False, "retry"),
    ("spec fails on the last attempt", 2, 2, [SCOPE, CHECK], [], PASSED, False, "fallback"),
    ("spec fails with one attempt allowed", 1, 1, [CHECK], [], PASSED, False, "fallback"),
    ("spec beats a failed gate", 1, 2, [SCOPE], [], [gate("failed")], False, "retry"),
    ("gate failed", 1, 2, [], [], [gate("failed")], False, "needs_fix"),
    ("gate error", 1, 2, [], [], [gate("error")], False, "needs_fix"),
    ("gate timeout", 1, 2, [], [], [gate("timeout")], False, "needs_fix"),
    ("gate failed, retry_on_quality", 1, 2, [], [], [gate("failed")], True, "retry"),
    ("gate failed, retry_on_quality, last", 2, 2, [], [], [gate("failed")], True, "needs_fix"),
    ("a quality finding", 1, 2, [QUALITY], [], PASSED, False, "needs_fix"),
]


@pytest.mark.parametrize(
    ("attempt", "max_attempts", "spec", "security", "gates", "retry_on_quality", "outcome"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_every_branch(
    attempt: int,
    max_attempts: int,
    spec: list[Finding],
    security: list[Finding],
    gates: list[GateOutcome],
    retry_on_quality: bool,
    outcome: Outcome,
) -> None:
    verdict = decide_verdict(
        attempt=attempt,
        max_attempts=max_attempts,
        spec=spec,
        security=security,
        gates=gates,
        retry_on_quality=retry_on_quality,
    )
    assert verdict.outcome == outcome
    assert verdict.reasons and verdict.reasons[-1].count("→") == 1
    assert outcome.split("_")[0] in verdict.reasons[-1]


def decide(**kwargs: object) -> Verdict:
    defaults: dict[str, object] = {
        "attempt": 1, "max_attempts": 2, "spec": [], "security": [], "gates": PASSED,
        "retry_on_quality": False,
    }  # fmt: skip
    return decide_verdict(**(defaults | kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"spec": [SCOPE, CHECK]}, ["stage 1: 2 findings", "out-of-scope src/other.py",
                                    "acceptance-check", "attempt 1 of 2", "retry"]),
        ({"spec": [SCOPE], "attempt": 2}, ["attempt 2 of 2", "fallback"]),
        ({"security": [SECRET, DENIED]}, ["secret src/app.py", "denied-path .env", "blocked"]),
        ({"gates": [gate("passed", "format"), gate("failed", "lint")]},
         ["stage 1: no findings", "lint failed", "retry_on_quality is off", "needs_fix"]),
        ({}, ["format passed", "test passed", "passed"]),
        ({"spec": [SCOPE] * 7}, ["7 findings", "and 2 more"]),
    ],
)  # fmt: skip
def test_the_trace_names_the_rule_the_input_and_the_decision(
    kwargs: dict[str, object], words: list[str]
) -> None:
    trace = "\n".join(decide(**kwargs).reasons)
    for word in words:
        assert word in trace


def test_verdict_and_finding_to_dict() -> None:
    verdict = decide(spec=[SCOPE])
    assert verdict.to_dict() == {"outcome": "retry", "reasons": list(verdict.reasons)}
    assert SCOPE.to_dict() == {
        "stage": "spec",
        "rule": "out-of-scope",
        "path": "src/other.py",
        "message": "src/other.py is outside the scope",
    }
