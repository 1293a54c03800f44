"""What a delegation hands back: a compact result the lead reads, the full record in the ledger.

The result stays small whatever the worker did (verdict, attempts, findings, gate summary, diff
stat, run id); the full diff and logs are artifacts in the ledger, read as MCP resources at
`baton://runs/<id>/<name>`, so no result exceeds the lead's output cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from baton.audit import CheckOutcome, Finding, GateOutcome

__all__ = [
    "ARTIFACTS",
    "RUN_URI_PREFIX",
    "AttemptReport",
    "DelegationResult",
    "RunVerdict",
    "resource_uri",
]

RunVerdict = Literal[
    "passed",
    "needs_fix",
    "fallback",
    "blocked",
    "failed",
    "cancelled",
    "interrupted",
    "lead",
    "split",
]
# The artifacts a run may keep, in the order a reader wants them.
ARTIFACTS = ("diff", "worker.log", "gates.log", "result.json", "base.json")
# Where a run's artifacts are read as MCP resources: `baton://runs/<id>/<name>`.
RUN_URI_PREFIX = "baton://runs/"
# A result carries at most this many findings; the rest are in the ledger and `result.json`.
MAX_FINDINGS_IN_RESULT = 20
# Gate output in a result: the last lines only; the whole tail is in `gates.log`.
GATE_TAIL_IN_RESULT = 600

_NEXT_STEP: dict[str, str] = {
    "passed": "review the diff (resource {diff}), then call `apply` with this run id",
    "needs_fix": "the diff passed review but not the gates: read the gate output, fix the diff "
    "yourself, or apply it with force and fix it in place",
    "fallback": "the worker failed review twice: do the task yourself; the findings say why",
    "blocked": "nothing will be applied: the worker touched a denied path or wrote a secret",
    "failed": "the worker did not finish; the error says why. Retry, or do the task yourself",
    "cancelled": "the delegation was cancelled; nothing was applied",
    "interrupted": "Baton was stopped during the run (e.g. killed); delegate the task again",
    "lead": "this task stays with you (the lead): the routing reasons say why",
    "split": "split the task into parts with a scope and acceptance criteria, then delegate each",
}


def resource_uri(run_id: str, name: str) -> str:
    """The MCP resource URI of one artifact of a run."""
    return f"{RUN_URI_PREFIX}{run_id}/{name}"


@dataclass(frozen=True)
class AttemptReport:
    """One attempt: what the worker said, what review found, what the gates said."""

    number: int
    thread_id: str | None
    outcome: str
    reasons: tuple[str, ...]
    findings: tuple[Finding, ...] = ()
    checks: tuple[CheckOutcome, ...] = ()
    gates: tuple[GateOutcome, ...] = ()
    worker_message: str = ""
    duration_ms: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Compact plain data: findings capped, gate output tails shortened."""
        return {
            "number": self.number,
            "outcome": self.outcome,
            "reasons": list(self.reasons),
            "findings": [f.to_dict() for f in self.findings[:MAX_FINDINGS_IN_RESULT]],
            "findings_total": len(self.findings),
            "checks": [
                {"criterion": c.text, "command": c.command, "passed": c.passed} for c in self.checks
            ],
            "gates": [_gate_summary(gate) for gate in self.gates],
            "worker_message": self.worker_message[-1000:],
            "duration_ms": self.duration_ms,
        }


def _gate_summary(gate: GateOutcome) -> dict[str, Any]:
    summary: dict[str, Any] = {"name": gate.name, "status": gate.status}
    summary["duration_ms"] = gate.duration_ms
    if gate.status not in ("passed", "skipped"):
        summary["output_tail"] = gate.output_tail[-GATE_TAIL_IN_RESULT:]
    return summary


@dataclass(frozen=True)
class DelegationResult:
    """How one delegation ended, for the lead (`to_dict`) and the CLI (`exit_code`)."""

    run_id: str
    verdict: RunVerdict
    decision: dict[str, Any]
    worker: str | None = None
    thread_id: str | None = None
    attempts: tuple[AttemptReport, ...] = ()
    diff_stat: dict[str, Any] | None = None
    unchecked: tuple[dict[str, str], ...] = ()
    error: str | None = None
    applied: tuple[str, ...] | None = None
    apply_error: str | None = None
    artifacts: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        """0 when the run passed, 1 for every other verdict (DESIGN.md's CLI contract)."""
        return 0 if self.verdict == "passed" else 1

    def next_step(self) -> str:
        """What the lead should do now, in one sentence."""
        if self.applied is not None:
            return "the diff is applied to your tree; review it with `git diff`"
        return _NEXT_STEP[self.verdict].format(diff=resource_uri(self.run_id, "diff"))

    def to_dict(self) -> dict[str, Any]:
        """The compact result: what the lead's model reads as the tool's answer."""
        data: dict[str, Any] = {
            "run_id": self.run_id,
            "verdict": self.verdict,
            "route": {k: self.decision.get(k) for k in ("route", "rule", "reasons")},
            "worker": self.worker,
            "thread_id": self.thread_id,
            "attempts": [attempt.to_dict() for attempt in self.attempts],
            "diff_stat": self.diff_stat,
            "unchecked_criteria": list(self.unchecked),
            "next_step": self.next_step(),
            "resources": [resource_uri(self.run_id, name) for name in self.artifacts],
        }
        if self.error:
            data["error"] = self.error
        if self.applied is not None:
            data["applied"] = list(self.applied)
        if self.apply_error:
            data["apply_error"] = self.apply_error
        return data
