"""The verdict on one attempt: findings and gate outcomes in, outcome and its trace out. Pure.

security finding (a secret written, a denied path, an escaping symlink) → blocked, never retried
stage 1 (spec) finding       → retry while attempts are left, then fallback to the lead
stage 2 (gate or quality)    → needs_fix (the lead fixes the diff), or retry if configured
otherwise                    → passed
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from baton.audit._findings import Finding, GateOutcome
from baton.audit.spec import display

__all__ = ["Outcome", "Verdict", "decide_verdict"]

Outcome = Literal["passed", "retry", "fallback", "needs_fix", "blocked"]
_SHOWN = 5  # findings named in one reason; the rest are counted
_CLEAN = "security: no findings"
_SPEC_MET = "stage 1: no findings"


@dataclass(frozen=True)
class Verdict:
    """The outcome of an attempt and the trace of rules and inputs that decided it."""

    outcome: Outcome
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The verdict as JSON-ready data."""
        return {"outcome": self.outcome, "reasons": list(self.reasons)}


def _summary(findings: Sequence[Finding]) -> str:
    names = [f"{f.rule} {display(f.path)}" if f.path else f.rule for f in findings]
    more = f", and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    plural = "" if len(findings) == 1 else "s"
    return f"{len(findings)} finding{plural} ({', '.join(names[:_SHOWN])}{more})"


def _gates(gates: Sequence[GateOutcome]) -> str:
    return ", ".join(f"{gate.name} {gate.status}" for gate in gates) or "no gates"


def _spec_verdict(findings: Sequence[Finding], attempt: int, max_attempts: int) -> Verdict:
    found = f"stage 1: {_summary(findings)}"
    if attempt < max_attempts:
        decision = f"attempt {attempt} of {max_attempts} → retry with reinforced instructions"
        return Verdict("retry", (_CLEAN, found, decision))
    decision = f"attempt {attempt} of {max_attempts}, none left → fallback: the lead does it"
    return Verdict("fallback", (_CLEAN, found, decision))


def _quality_verdict(
    failures: Sequence[str], attempt: int, max_attempts: int, retry_on_quality: bool
) -> Verdict:
    found = f"stage 2: {', '.join(failures)}"
    if retry_on_quality and attempt < max_attempts:
        decision = f"retry_on_quality, attempt {attempt} of {max_attempts} → retry"
        return Verdict("retry", (_CLEAN, _SPEC_MET, found, decision))
    why = "retry_on_quality is off" if not retry_on_quality else "no attempt left"
    decision = f"{why} → needs_fix: the lead fixes the diff"
    return Verdict("needs_fix", (_CLEAN, _SPEC_MET, found, decision))


def decide_verdict(
    *,
    attempt: int,
    max_attempts: int,
    spec: Sequence[Finding],
    security: Sequence[Finding],
    gates: Sequence[GateOutcome],
    retry_on_quality: bool,
) -> Verdict:
    """Decide an attempt's outcome; a finding counts by its `stage`, whichever list holds it."""
    findings = [*spec, *security]
    blocking = [f for f in findings if f.stage == "security"]
    if blocking:
        decision = "a secret or a denied path is not a spec slip → blocked, not retried"
        return Verdict("blocked", (f"security: {_summary(blocking)}", decision))
    if stage_1 := [f for f in findings if f.stage == "spec"]:
        return _spec_verdict(stage_1, attempt, max_attempts)
    quality = [f for f in findings if f.stage == "quality"]
    failures = [f"{g.name} {g.status}" for g in gates if g.failed]
    failures += [_summary(quality)] if quality else []
    if failures:
        return _quality_verdict(failures, attempt, max_attempts, retry_on_quality)
    return Verdict("passed", (_CLEAN, _SPEC_MET, f"stage 2: {_gates(gates)}", "→ passed"))
