"""Developer instructions for a worker, rendered from the policy and the task. Pure.

Seed 000: rules only hold when written as MUST / NEVER, so every line is one. Three sections,
SECURITY (non-negotiable), ARCHITECTURE and SCOPE, then — on a retry — the findings the last
attempt failed on, so the worker is told exactly what to fix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from baton.config.schema import PolicyConfig
from baton.policy.commands import COMMAND_RULES
from baton.task import Task

__all__ = ["render_instructions"]

_BASE_SECURITY = (
    "NEVER log, print or commit passwords, tokens, API keys or personal data",
    "NEVER hard-code credentials; read them from the environment",
    "MUST use parameterized queries; NEVER interpolate input into SQL or shell commands",
)
_BASE_SCOPE = (
    "NEVER add dependencies without explicit approval",
    "MUST match the existing code style and patterns",
)
_BASE_ARCHITECTURE = ("MUST keep the existing module boundaries and import directions",)


def _imperative(rule: str) -> str:
    """`rule` as a MUST/NEVER line: kept if it is one, "Do not ..." as NEVER, else MUST ..."""
    text = rule.strip().rstrip(".")
    if not text or text.split(" ", 1)[0].upper() in {"MUST", "NEVER"}:
        return text
    negation = re.match(r"(?i)(do not|don't|never)\s+", text)
    if negation:
        return f"NEVER {text[negation.end() :]}"
    return f"MUST {text[0].lower()}{text[1:]}"


def _command(rule_id: str) -> str:
    rule = COMMAND_RULES.get(rule_id)
    return rule.description if rule else rule_id


def _security(policy: PolicyConfig) -> list[str]:
    lines = [f"NEVER read, write, create or list {', '.join(policy.denied_paths)}"]
    if policy.protected_paths:
        lines.append(f"NEVER modify {', '.join(policy.protected_paths)}")
    lines += [f"NEVER run {_command(rule_id)}" for rule_id in policy.denied_commands]
    return lines + list(_BASE_SECURITY)


def _scope(policy: PolicyConfig, task: Task | None) -> list[str]:
    if task is None:  # the policy alone, as `baton export instructions` shows it
        lines = ["MUST only create, modify or delete files inside the task's scope"]
    elif task.scope:
        lines = [f"MUST only create, modify or delete files matching {', '.join(task.scope)}"]
    else:
        lines = ["NEVER modify any file: this task has no scope"]
    lines.append("MUST stop and say so when the task needs a change outside that scope")
    lines += list(_BASE_SCOPE)
    lines += [_imperative(rule) for rule in policy.scope_rules]
    constraints = task.constraints if task is not None else ()
    return lines + [_imperative(constraint) for constraint in constraints]


def _section(title: str, lines: Sequence[str]) -> str:
    return "\n".join([title, *(f"- {line}" for line in lines if line)])


def render_instructions(
    policy: PolicyConfig, task: Task | None, *, findings: Sequence[str] = ()
) -> str:
    """The SECURITY / ARCHITECTURE / SCOPE rules for one worker call on `task` (None: any task)."""
    architecture = [*_BASE_ARCHITECTURE, *(_imperative(r) for r in policy.architecture_rules)]
    sections = [
        _section("SECURITY RULES (NON-NEGOTIABLE):", _security(policy)),
        _section("ARCHITECTURE RULES:", architecture),
        _section("SCOPE RULES:", _scope(policy, task)),
    ]
    if findings:
        title = "YOUR PREVIOUS ATTEMPT WAS REJECTED. MUST fix every finding:"
        sections.append(_section(title, findings))
    return "\n\n".join(sections) + "\n"
