"""The reinforced instructions name every finding as a MUST/NEVER rule and restate the task."""

from __future__ import annotations

import pytest

from baton.audit import Finding, retry_prompt
from baton.task import Criterion, Task

TASK = Task(
    goal="Add a health endpoint",
    scope=("src/health.py", "tests/test_health.py"),
    acceptance=(
        Criterion(text="GET /health returns 200", check="pytest tests/test_health.py"),
        Criterion(text="the handler is documented"),
    ),
    constraints=("no new dependency",),
)
FINDINGS = [
    Finding("spec", "out-of-scope", "src/other.py", "src/other.py (modified) is outside the scope"),
    Finding("spec", "protected-path", "infra/main.tf", "infra/main.tf is a protected path"),
    Finding("security", "denied-path", ".env", ".env (added) is a denied path"),
    Finding("security", "symlink-escape", "src/l", "the symlink src/l -> /etc points outside"),
    Finding("security", "secret", "src/app.py", "src/app.py:3: an added line holds a secret"),
    Finding("spec", "acceptance-check", None, "criterion failed; last output:\nE 500\n"),
    Finding("quality", "gate", None, "quality gate 'lint' failed"),
]


def test_every_finding_is_named_with_its_rule_path_and_message() -> None:
    prompt = retry_prompt(TASK, FINDINGS, attempt=1)
    for finding in FINDINGS:
        assert f"[{finding.rule}]" in prompt
        assert finding.message.splitlines()[0] in prompt
        if finding.path:
            assert finding.path in prompt


@pytest.mark.parametrize(
    ("finding", "rule_line"),
    [
        (FINDINGS[0], "- NEVER change src/other.py: it is outside the scope [out-of-scope]."),
        (FINDINGS[1], "- NEVER change infra/main.tf: it is protected [protected-path]."),
        (FINDINGS[2], "- NEVER create, change or delete .env: it is a denied path"),
        (FINDINGS[4], "- NEVER write a secret into src/app.py"),
        (FINDINGS[5], "- MUST make this acceptance check pass [acceptance-check]."),
    ],
)
def test_findings_become_must_and_never_rules(finding: Finding, rule_line: str) -> None:
    assert rule_line in retry_prompt(TASK, [finding], attempt=1)


def test_the_task_is_restated_and_the_next_steps_close_it() -> None:
    prompt = retry_prompt(TASK, FINDINGS[:1], attempt=2)
    assert prompt.startswith("Attempt 2 failed stage 1 (spec) review with 1 finding.")
    for text in [
        "Add a health endpoint",
        "- src/health.py",
        "- tests/test_health.py",
        "- [ ] GET /health returns 200 (check: `pytest tests/test_health.py`)",
        "- [ ] the handler is documented",
        "- no new dependency",
    ]:
        assert text in prompt
    assert prompt.rstrip().splitlines()[-4] == "[What to do now]"


def test_multi_line_messages_stay_inside_their_bullet() -> None:
    prompt = retry_prompt(TASK, [FINDINGS[5]], attempt=1)
    assert "last output:\n    E 500" in prompt


def test_an_empty_scope_says_no_file_may_change() -> None:
    prompt = retry_prompt(Task(goal="g"), FINDINGS[:1], attempt=1)
    assert "- (none): change no file" in prompt and "- (none listed)" in prompt
