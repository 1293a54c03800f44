"""`baton gates [PATH]`: the gates listed or run, for a person or as JSON; exit 0, 1 or 2."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import baton_command
from tests.delegation.gates.conftest import CLEAN_MODULE, FAILING_TEST, PASSING_TEST, tool_env


def baton_gates(cwd: Path, *args: str, tools: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**tool_env(cwd, with_venv=tools), "COLUMNS": "200"}
    return subprocess.run(
        [*baton_command(), "gates", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "calc"
    (root / ".git").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "calc"\nversion = "0"\n')
    (root / "calc.py").write_text(CLEAN_MODULE)
    (root / "tests" / "test_calc.py").write_text(PASSING_TEST)
    return root


def test_json_lists_the_detected_gates_and_their_tools(project: Path) -> None:
    done = baton_gates(project, "--json")
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    assert listing["path"] == str(project)
    assert listing["gates"][0] == {
        "name": "format",
        "command": "ruff format --check .",
        "stage": "format",
        "source": "detected",
        "read_only": True,
        "requires": "ruff",
        "tool_present": True,
    }
    assert [gate["name"] for gate in listing["gates"]] == ["format", "lint", "test"]


def test_a_missing_tool_is_shown_for_a_person(project: Path) -> None:
    done = baton_gates(project, tools=False)
    assert done.returncode == 0, done.stderr
    assert "ruff missing" in done.stdout and "pytest missing" in done.stdout
    assert "detected" in done.stdout


def test_configured_gates_come_from_baton_toml_in_their_order(project: Path) -> None:
    (project / "baton.toml").write_text(
        '[[gates]]\nname = "test"\ncommand = "python -m pytest -q"\n\n'
        '[[gates]]\nname = "lint"\ncommand = "ruff check ."\n'
    )
    listing = json.loads(baton_gates(project, "--json").stdout)
    assert [(g["name"], g["source"], g["requires"]) for g in listing["gates"]] == [
        ("test", "configured", "python"),
        ("lint", "configured", "ruff"),
    ]


def test_run_passes_a_clean_project(project: Path) -> None:
    done = baton_gates(project, "--run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "gate format: passed" in done.stdout and "gate test: passed" in done.stdout
    assert "passed: 3 passed" in done.stdout


def test_run_on_another_path_shows_the_failing_tail_and_exits_1(
    project: Path, tmp_path: Path
) -> None:
    (project / "tests" / "test_calc.py").write_text(FAILING_TEST)
    done = baton_gates(tmp_path, str(project), "--run")
    assert done.returncode == 1, done.stderr
    assert "gate test: failed" in done.stdout
    assert "── test: failed ──" in done.stdout and "1 failed in" in done.stdout
    assert "failed: 2 passed, 1 failed" in done.stdout


def test_run_json_adds_each_outcome(project: Path) -> None:
    (project / "calc.py").write_text("def add(a,b): return a+b\n")
    done = baton_gates(project, "--run", "--json")
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["passed"] is False
    outcomes = {gate["name"]: gate["outcome"] for gate in result["gates"]}
    assert set(outcomes["format"]) == {"status", "duration_ms", "exit_code", "output_tail"}
    assert (outcomes["format"]["status"], outcomes["format"]["exit_code"]) == ("failed", 1)
    assert "would be reformatted" in outcomes["format"]["output_tail"]
    assert outcomes["test"]["status"] == "passed"


def test_skipped_gates_do_not_fail_the_run(project: Path) -> None:
    done = baton_gates(project, "--run", "--json", tools=False)
    assert done.returncode == 0, done.stderr
    statuses = [gate["outcome"]["status"] for gate in json.loads(done.stdout)["gates"]]
    assert statuses == ["skipped", "skipped", "skipped"]


def test_a_configured_gate_without_its_program_exits_1(project: Path) -> None:
    (project / "baton.toml").write_text('[[gates]]\nname = "lint"\ncommand = "no-such-zz ."\n')
    done = baton_gates(project, "--run")
    assert done.returncode == 1
    assert "gate lint: error (no-such-zz not found on PATH" in done.stdout


def test_a_project_without_gates_says_so(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    done = baton_gates(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "no gates for" in done.stdout
    assert baton_gates(tmp_path, "--run").returncode == 0


def test_a_bad_config_or_path_exits_2(project: Path) -> None:
    (project / "baton.toml").write_text('[[gates]]\nname = "lint"\n')
    done = baton_gates(project)
    assert done.returncode == 2
    assert "baton.toml:1 [gates[0].command]: missing required key `command`" in done.stderr
    assert baton_gates(project, "no-such-dir").returncode == 2
    assert baton_gates(project, "--config", "missing.toml").returncode == 2
