"""Acceptance checks and gates as findings, and criteria without a check left to the lead. Pure.

Output tails arrive redacted (the runner in `baton.delegation.gates` redacts before it cuts), and
so does the worker's claim (the pipeline redacts the worker's final message where it comes in).
"""

from __future__ import annotations

from collections.abc import Sequence

from baton.audit._findings import CheckOutcome, Finding, GateOutcome
from baton.task import Task

__all__ = [
    "OUTPUT_TAIL_CHARS",
    "WORKER_CLAIM_CHARS",
    "audit_checks",
    "audit_gates",
    "unchecked_criteria",
]

OUTPUT_TAIL_CHARS = 1_500  # enough for a failing assertion and its traceback's last frames
WORKER_CLAIM_CHARS = 500  # the gist of the worker's final message, not its whole report


def _last_output(output_tail: str, limit: int = OUTPUT_TAIL_CHARS) -> str:
    """The end of a command's output as a clause of a finding's message."""
    tail = output_tail.rstrip()
    if len(tail) > limit:
        tail = "…" + tail[-(limit - 1) :]
    return f"; last output:\n{tail}\n" if tail else " with no output; "


def _how_it_ended(outcome: CheckOutcome) -> str:
    if outcome.timed_out:
        return "timed out"
    if outcome.exit_code is None:
        return "could not be run"
    return f"exited with code {outcome.exit_code}"


def _check_finding(outcome: CheckOutcome) -> Finding:
    output = _last_output(outcome.output_tail)
    return Finding(
        "spec",
        "acceptance-check",
        None,
        f"acceptance criterion '{outcome.text}' is not met: `{outcome.command}` "
        f"{_how_it_ended(outcome)}{output}change the code so that `{outcome.command}` passes.",
    )


def audit_checks(outcomes: Sequence[CheckOutcome]) -> list[Finding]:
    """One `acceptance-check` finding per check that failed, timed out or could not run."""
    return [_check_finding(outcome) for outcome in outcomes if not outcome.passed]


def _trim(text: str, limit: int = WORKER_CLAIM_CHARS) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def unchecked_criteria(task: Task, worker_claim: str) -> list[dict[str, str]]:
    """The criteria without a `check`, each with the worker's claim, for the lead to judge."""
    claim = _trim(worker_claim)
    return [
        {"criterion": item.text, "worker_claim": claim}
        for item in task.acceptance
        if item.check is None
    ]


def _gate_finding(gate: GateOutcome) -> Finding:
    output = _last_output(gate.output_tail)
    ended = (
        f"{gate.status} (exit code {gate.exit_code})" if gate.exit_code is not None else gate.status
    )
    return Finding(
        "quality",
        "gate",
        None,
        f"quality gate '{gate.name}' {ended}: `{gate.command}`{output}"
        f"fix the code so that `{gate.command}` passes.",
    )


def audit_gates(gates: Sequence[GateOutcome]) -> list[Finding]:
    """One `gate` finding per gate that failed, errored or timed out (for a quality retry)."""
    return [_gate_finding(gate) for gate in gates if gate.failed]
