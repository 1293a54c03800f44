"""Developer instructions rendered from the policy and the task, in the seed's MUST/NEVER form."""

from __future__ import annotations

from baton.config.schema import PolicyConfig
from baton.policy.instructions import render_instructions
from baton.task import Task

TASK = Task(
    goal="Add GET /health",
    scope=("apps/api/src/modules/system/*",),
    constraints=("Use HealthInfo interface for response type", "NEVER touch the database schema"),
)


def rule_lines(text: str) -> list[str]:
    return [line[2:] for line in text.splitlines() if line.startswith("- ")]


def sections(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("- ")]


def test_three_sections_in_the_seeds_order_every_rule_must_or_never() -> None:
    text = render_instructions(PolicyConfig(), TASK)
    assert sections(text) == [
        "SECURITY RULES (NON-NEGOTIABLE):",
        "ARCHITECTURE RULES:",
        "SCOPE RULES:",
    ]
    assert all(line.startswith(("MUST ", "NEVER ")) for line in rule_lines(text))


def test_security_names_every_denied_path_protected_path_and_command() -> None:
    policy = PolicyConfig()
    text = render_instructions(policy, TASK)
    security = text.split("ARCHITECTURE RULES:")[0]
    for pattern in [*policy.denied_paths, *policy.protected_paths]:
        assert pattern in security
    assert "NEVER run git reset --hard" in security
    assert "NEVER run force push" in security


def test_scope_names_the_task_scope_and_its_constraints() -> None:
    scope = render_instructions(PolicyConfig(), TASK).split("SCOPE RULES:")[1]
    assert (
        "- MUST only create, modify or delete files matching apps/api/src/modules/system/*" in scope
    )
    assert "- MUST use HealthInfo interface for response type" in scope
    assert "- NEVER touch the database schema" in scope
    assert "- NEVER add dependencies without explicit approval" in scope


def test_a_task_without_scope_may_change_nothing() -> None:
    scope = render_instructions(PolicyConfig(), Task(goal="review")).split("SCOPE RULES:")[1]
    assert "- NEVER modify any file: this task has no scope" in scope


def test_the_projects_own_rules_are_carried_over() -> None:
    policy = PolicyConfig(
        architecture_rules=["Follow Clean Architecture: domain must not import infrastructure."],
        scope_rules=["Export the public API through index.ts only", "Do not add new files"],
        denied_commands=["reset-hard", "my-own-rule"],
    )
    text = render_instructions(policy, TASK)
    assert "- MUST follow Clean Architecture: domain must not import infrastructure\n" in text
    assert "- MUST export the public API through index.ts only\n" in text
    assert "- NEVER add new files\n" in text
    assert "- NEVER run my-own-rule\n" in text


def test_a_retry_names_every_finding_last() -> None:
    findings = ["src/other.py is outside the scope", "gate `pytest` failed"]
    text = render_instructions(PolicyConfig(), TASK, findings=findings)
    tail = text.split("YOUR PREVIOUS ATTEMPT WAS REJECTED. MUST fix every finding:\n")[1]
    assert tail == "- src/other.py is outside the scope\n- gate `pytest` failed\n"
    assert "REJECTED" not in render_instructions(PolicyConfig(), TASK)


def test_rendering_is_deterministic() -> None:
    assert render_instructions(PolicyConfig(), TASK) == render_instructions(PolicyConfig(), TASK)
