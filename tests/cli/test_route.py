"""`baton route TASK`: the decision for a person or as JSON; exit 0 routed, 2 for a bad task."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import baton_command

SEED_TASK = """[Task]
- Scope: apps/data-collector/src/modules/system/*
- Goal: Add GET /health endpoint returning service status
[Acceptance Criteria]
- [ ] GET /health returns 200 with { status, timestamp, version }
- [ ] No changes outside Scope
"""


def baton_route(
    cwd: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*baton_command(), "route", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "task.md").write_text(SEED_TASK)
    return tmp_path


def test_the_seeds_example_goes_to_the_worker(project: Path) -> None:
    done = baton_route(project, "task.md")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("worker (rule: worker)")
    assert "sandbox: workspace-write" in done.stdout
    assert "protected-path       passed" in done.stdout


def test_json_has_route_rule_reasons_and_trace(project: Path) -> None:
    done = baton_route(project, "task.md", "--json")
    decision = json.loads(done.stdout)
    assert decision["route"] == "worker" and decision["rule"] == "worker"
    assert decision["reasons"] == ["2 acceptance criteria and a single-module scope"]
    assert [check["rule"] for check in decision["trace"]][-1] == "worker"


def test_routing_rules_come_from_baton_toml(project: Path) -> None:
    (project / "baton.toml").write_text('[policy]\nprotected_paths = ["apps/**"]\n')
    decision = json.loads(baton_route(project, "task.md", "--json").stdout)
    assert (decision["route"], decision["rule"]) == ("lead", "protected-path")


def test_a_task_on_stdin_can_be_split(project: Path) -> None:
    done = baton_route(project, "-", "--json", stdin='{"goal": "Make it faster"}')
    assert done.returncode == 0, done.stderr
    decision = json.loads(done.stdout)
    assert decision["route"] == "split"
    assert decision["reasons"] == ["no acceptance criteria", "no scope"]


def test_a_bad_task_exits_2_saying_where(project: Path) -> None:
    (project / "bad.md").write_text("[Task]\n- Goal: g\n- Kind: dance\n")
    done = baton_route(project, "bad.md")
    assert done.returncode == 2
    assert "bad.md:3: kind: unknown kind 'dance'" in done.stderr
    assert done.stdout == ""


def test_a_missing_task_file_exits_2(project: Path) -> None:
    done = baton_route(project, "nope.md")
    assert done.returncode == 2
    assert "nope.md: cannot read the task file" in done.stderr


def test_an_unknown_kind_in_baton_toml_names_file_line_and_key(project: Path) -> None:
    (project / "baton.toml").write_text('[routing]\nmodules = ["src/*"]\nlead_kinds = ["dance"]\n')
    done = baton_route(project, "task.md")
    assert done.returncode == 2
    assert "baton.toml:3 [routing.lead_kinds]: unknown kind 'dance'" in done.stderr


def test_lead_kinds_in_baton_toml_accept_the_seeds_spellings(project: Path) -> None:
    (project / "baton.toml").write_text('[routing]\nlead_kinds = ["テストコード生成"]\n')
    (project / "tests.md").write_text(
        SEED_TASK.replace("[Task]\n", "[Task]\n- Kind: test generation\n")
    )
    decision = json.loads(baton_route(project, "tests.md", "--json").stdout)
    assert (decision["route"], decision["rule"]) == ("lead", "lead-kind")
