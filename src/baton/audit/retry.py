"""The reinforced instructions for re-delegating a failed attempt on the same worker thread. Pure.

Every finding becomes a MUST/NEVER line (the seed's style for rules a worker obeys), followed by
the task's scope and acceptance criteria restated, and what to do now.
"""

from __future__ import annotations

from collections.abc import Sequence

from baton.audit._findings import Finding
from baton.audit.spec import display
from baton.task import Task

__all__ = ["retry_prompt"]

_DIRECTIVES = {
    "out-of-scope": "NEVER change {path}: it is outside the scope",
    "denied-path": "NEVER create, change or delete {path}: it is a denied path",
    "protected-path": "NEVER change {path}: it is protected",
    "symlink-escape": "NEVER create a symlink that leaves the workspace ({path})",
    "acceptance-check": "MUST make this acceptance check pass",
    "gate": "MUST make this quality gate pass",
    "secret": "NEVER write a secret into {path} or any other file",
}
_STAGES = {"spec": "stage 1 (spec)", "quality": "stage 2 (quality)", "security": "security"}
_NEXT_STEPS = (
    "1. Revert every change to a path outside the scope; never touch a denied or protected path.",
    "2. Make every acceptance criterion hold, and every check command above exit 0.",
    "3. Change nothing else. Reply with what you changed and how each criterion is now met.",
)


def _directive(finding: Finding) -> str:
    template = _DIRECTIVES.get(finding.rule, "MUST fix this")
    path = display(finding.path) if finding.path else "the path named below"
    message = finding.message.replace("\n", "\n    ")  # keep multi-line output in its bullet
    return f"- {template.format(path=path)} [{finding.rule}]. {message}"


def _task_lines(task: Task) -> list[str]:
    lines = [f"[Goal]\n{task.goal}", "", "[Scope] (the only paths you may change)"]
    lines += [f"- {glob}" for glob in task.scope] or ["- (none): change no file"]
    lines += ["", "[Acceptance Criteria]"]
    for item in task.acceptance:
        lines.append(f"- [ ] {item.text}" + (f" (check: `{item.check}`)" if item.check else ""))
    lines += [] if task.acceptance else ["- (none listed)"]
    lines += (
        ["", "[Constraints]", *(f"- {c}" for c in task.constraints)] if task.constraints else []
    )
    return lines


def retry_prompt(task: Task, findings: Sequence[Finding], attempt: int) -> str:
    """The prompt that re-delegates `task` after attempt `attempt` failed with `findings`."""
    stages = ", ".join(dict.fromkeys(_STAGES.get(f.stage, f.stage) for f in findings))
    plural = "" if len(findings) == 1 else "s"
    lines = [
        f"Attempt {attempt} failed {stages or 'stage 1 (spec)'} review with "
        f"{len(findings)} finding{plural}. Your changes so far are still in the workspace: "
        "fix every finding below on top of them.",
        "",
        "[Findings] (each one MUST be fixed)",
        *(_directive(finding) for finding in findings),
        "",
        *_task_lines(task),
        "",
        "[What to do now]",
        *_NEXT_STEPS,
    ]
    return "\n".join(lines) + "\n"
