"""The audit of a worker's attempt, as pure decisions: what changed and what ran in, findings out.

    audit_changes      stage 1 on paths: scope, denied and protected globs, escaping symlinks
    audit_checks       stage 1 on acceptance criteria: each failed `check` command
    scan_added_lines   security: secrets on the added lines of the diff
    audit_gates        stage 2: each failed quality gate, as a finding for a quality retry
    decide_verdict     passed | retry | fallback | needs_fix | blocked, with its trace
    retry_prompt       the reinforced instructions for the next attempt
    unchecked_criteria criteria without a check, with the worker's claim, for the lead to judge

Nothing here opens a file, process or socket; `baton.delegation` runs the worker, the checks and
the gates, and hands their results in.
"""

from __future__ import annotations

from baton.audit._findings import ChangeLike, CheckOutcome, Finding, GateOutcome
from baton.audit.checks import audit_checks, audit_gates, unchecked_criteria
from baton.audit.retry import retry_prompt
from baton.audit.secrets import scan_added_lines
from baton.audit.spec import audit_changes
from baton.audit.verdict import Outcome, Verdict, decide_verdict

__all__ = [
    "ChangeLike",
    "CheckOutcome",
    "Finding",
    "GateOutcome",
    "Outcome",
    "Verdict",
    "audit_changes",
    "audit_checks",
    "audit_gates",
    "decide_verdict",
    "retry_prompt",
    "scan_added_lines",
    "unchecked_criteria",
]
