"""Tasks from the seed's Markdown template, TOML and the delegate tool's JSON; errors say where."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from baton.errors import TaskError
from baton.task import KINDS, Criterion, Task, load_task, parse_task, task_from_json

# The delegation template exactly as seed 000 shows it.
SEED_TEMPLATE = """[Task]
- Scope: apps/data-collector/src/modules/system/*
- Goal: Add GET /health endpoint returning service status
[Acceptance Criteria]
- [ ] GET /health returns 200 with { status, timestamp, version }
- [ ] Service checks DB connectivity (PrismaService)
- [ ] Returns 503 if DB is unreachable
- [ ] Adds unit tests (success + DB failure)
- [ ] No changes outside Scope
[Constraints]
- Follow existing controller pattern (try-catch + HttpException)
- Use HealthInfo interface for response type
"""

SEED_TASK = Task(
    goal="Add GET /health endpoint returning service status",
    scope=("apps/data-collector/src/modules/system/*",),
    acceptance=(
        Criterion(text="GET /health returns 200 with { status, timestamp, version }"),
        Criterion(text="Service checks DB connectivity (PrismaService)"),
        Criterion(text="Returns 503 if DB is unreachable"),
        Criterion(text="Adds unit tests (success + DB failure)"),
        Criterion(text="No changes outside Scope"),
    ),
    constraints=(
        "Follow existing controller pattern (try-catch + HttpException)",
        "Use HealthInfo interface for response type",
    ),
)


def test_the_seed_template_parses_as_written() -> None:
    assert parse_task(SEED_TEMPLATE) == SEED_TASK


def test_markdown_with_headings_checks_kind_and_worker() -> None:
    text = """# Health endpoint

## Task
- Scope: `src/app/health.py`, `tests/test_health.py`
- Goal: Add a health endpoint
- Kind: 単一モジュールの実装
- Worker: codex

## Acceptance Criteria
- [x] returns 200 (check: `pytest tests/test_health.py`)
- [ ] documented — check: `grep -q health README.md`
* plain item without a box
"""
    assert parse_task(text) == Task(
        goal="Add a health endpoint",
        scope=("src/app/health.py", "tests/test_health.py"),
        acceptance=(
            Criterion(text="returns 200", check="pytest tests/test_health.py"),
            Criterion(text="documented", check="grep -q health README.md"),
            Criterion(text="plain item without a box"),
        ),
        kind="single-module-implementation",
        worker="codex",
    )


def test_rendered_markdown_parses_back_to_the_same_task() -> None:
    task = SEED_TASK.model_copy(update={"kind": "test-generation", "worker": "codex"})
    task = task.model_copy(update={"acceptance": (Criterion(text="a", check="make test"),)})
    assert parse_task(task.to_markdown()) == task
    assert parse_task(Task(goal="only a goal").to_markdown()) == Task(goal="only a goal")


def test_toml_and_json_give_the_same_task() -> None:
    toml = """goal = "Add a health endpoint"
scope = ["src/app/*"]
kind = "bug/performance review"
constraints = ["no new dependencies"]
acceptance = ["returns 200", { text = "tested", check = "pytest" }]
"""
    data = {
        "goal": "Add a health endpoint",
        "scope": ["src/app/*"],
        "kind": "bug-performance-review",
        "constraints": ["no new dependencies"],
        "acceptance": [{"text": "returns 200"}, {"text": "tested", "check": "pytest"}],
    }
    assert parse_task(toml) == task_from_json(data) == parse_task(json.dumps(data))


@pytest.mark.parametrize(
    ("spelling", "kind"),
    [
        ("Architecture design", "architecture-design"),
        ("security change", "security-change"),
        ("Multi-module integration", "multi-module-integration"),
        ("コードレビュー（アーキテクチャ）", "architecture-review"),
        ("Code review (bug/performance)", "bug-performance-review"),
        ("single_module_implementation", "single-module-implementation"),
        ("TEST GENERATION", "test-generation"),
        ("スコープ限定のリファクタリング", "scoped-refactoring"),
    ],
)
def test_kinds_accept_the_seeds_spellings(spelling: str, kind: str) -> None:
    assert task_from_json({"goal": "g", "kind": spelling}).kind == kind


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("[Task]\n- Goal: g\n- Kind: dance\n", "t.md:3", "unknown kind 'dance'"),
        ("[Task]\n- Scope: a/*\n", "t.md", "'goal' is required"),
        ("[Task]\n- Goal: g\n- Owner: me\n", "t.md:3", "expected 'Scope:', 'Goal:'"),
        ("[Task]\n- Goal: g\n- Goal: h\n", "t.md:3", "'Goal' is given twice"),
        ("[Tasks]\n- Goal: g\n", "t.md:1", "unknown section [tasks]"),
        ("Please do this\n[Task]\n- Goal: g\n", "t.md:1", "text before [Task]"),
        ("[Task]\n- Goal: g\n[Constraints]\nbe nice\n", "t.md:4", "expected a list item"),
        ("[Task]\n- Goal: g\n- Scope: /etc/*\n", "t.md:3", "relative to the repository root"),
        ("[Task]\n- Goal: g\n- Scope: ../x\n", "t.md:3", "no '..'"),
        ("[Constraints]\n- be nice\n", "t.md", "no [Task] section"),
    ],
)
def test_markdown_errors_name_the_line(text: str, where: str, message: str) -> None:
    with pytest.raises(TaskError) as raised:
        parse_task(text, source="t.md")
    assert raised.value.where == where
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ('goal = "g"\nkind = "dance"\n', "t.toml:2", "kind: unknown kind"),
        ('goal = "g"\n[[acceptance]]\ntext = "a"\nchek = "b"\n', "t.toml:4", "acceptance[0].chek"),
        ('goal = "g"\nscope = "a/*"\nworker = ""\n', "t.toml:3", "worker"),
        ("goal = \n", "t.toml", "not valid TOML"),
    ],
)
def test_toml_errors_name_the_line_and_key(text: str, where: str, message: str) -> None:
    with pytest.raises(TaskError) as raised:
        parse_task(text, source="t.toml", format="toml")
    assert raised.value.where == where
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"goal": "  "}, "goal: the goal is empty"),
        ({"goal": "g", "acceptance": [{"text": "a", "check": ""}]}, "acceptance[0].check"),
        ({"goal": "g", "acceptance": [{"txt": "a"}]}, "acceptance[0].text: 'text' is required"),
        ({"goal": "g", "scope": [3]}, "scope[0]"),
        ({"goal": "g", "priority": 1}, "unknown field 'priority'"),
        (["goal"], "a task is an object, got list"),
    ],
)
def test_json_errors_name_the_path(data: Any, message: str) -> None:
    with pytest.raises(TaskError, match=r"^delegate: ") as raised:
        task_from_json(data, source="delegate")
    assert message in str(raised.value)
    assert raised.value.hint and "goal, scope, acceptance" in raised.value.hint


def test_load_task_uses_the_suffix_and_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "task.md").write_text(SEED_TEMPLATE)
    assert load_task(tmp_path / "task.md") == SEED_TASK
    (tmp_path / "task.json").write_text('{"goal": ')
    with pytest.raises(TaskError, match=r"task\.json:1: not valid JSON"):
        load_task(tmp_path / "task.json")
    with pytest.raises(TaskError, match="cannot read the task file"):
        load_task(tmp_path / "missing.md")


def test_every_kind_is_routable() -> None:
    assert len(KINDS) == 8
