"""`baton audit` on real git branches with real gates: findings in every output, exit 0, 1 or 2."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.audit.test_sarif import assert_valid_sarif
from tests.conftest import baton_command
from tests.delegation.gates.conftest import CLEAN_MODULE, FAILING_TEST, PASSING_TEST, tool_env

# Built at run time so that no scanner mistakes this file for a leak.
TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
# One gate, no cache left behind: the detected ruff gates would only add run time here.
GATES = '[[gates]]\nname = "test"\ncommand = "python -m pytest -q -p no:cacheprovider"\n'
GIT_ENV = {
    "GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "dev@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}  # fmt: skip


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def commit(repo: Path, files: dict[str, str], message: str = "work") -> None:
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def audit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**tool_env(repo.parent), "COLUMNS": "200"}
    return subprocess.run(
        [*baton_command(), "audit", *args],
        cwd=repo, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A Python project on `main` with a passing test and a test gate; work goes on `feature`."""
    root = tmp_path / "calc"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit(root, {
        "pyproject.toml": '[project]\nname = "calc"\nversion = "0"\n',
        "baton.toml": GATES, "calc.py": CLEAN_MODULE, "tests/test_calc.py": PASSING_TEST,
    }, "start")  # fmt: skip
    git(root, "checkout", "-q", "-b", "feature")
    return root


def sarif_results(path: Path) -> list[dict[str, Any]]:
    log = json.loads(path.read_text())
    assert_valid_sarif(log)
    return list(log["runs"][0]["results"])


def where(result: dict[str, Any]) -> tuple[str, str, int | None]:
    location = result["locations"][0]["physicalLocation"]
    line = location.get("region", {}).get("startLine")
    return result["ruleId"], location["artifactLocation"]["uri"], line


def test_a_clean_branch_passes_its_gates_and_exits_0(repo: Path) -> None:
    commit(
        repo, {"calc.py": CLEAN_MODULE + "\n\ndef sub(a: int, b: int) -> int:\n    return a - b\n"}
    )
    done = audit(repo, "--sarif", "out/audit.sarif")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "audit of 1 changed paths: main (merge-base" in done.stdout
    assert "gates: test passed" in done.stdout and "passed: no findings" in done.stdout
    assert "running 1 gates" in done.stderr and "gate test: passed" in done.stderr
    assert sarif_results(repo / "out" / "audit.sarif") == []
    invocation = json.loads((repo / "out" / "audit.sarif").read_text())["runs"][0]["invocations"]
    assert invocation == [{"executionSuccessful": True, "toolExecutionNotifications": [],
                           "exitCode": 0}]  # fmt: skip


def test_a_denied_path_is_named_in_every_output(repo: Path) -> None:
    commit(repo, {".env": "DEBUG=1\n"})
    human = audit(repo, "--no-gates", "--sarif", "audit.sarif")
    assert human.returncode == 1, human.stderr
    assert "security (1)" in human.stdout and "✗ [denied-path] .env" in human.stdout
    assert "gates: not run (--no-gates)" in human.stdout
    assert "failed: 1 findings (1 security)" in human.stdout
    assert [where(r) for r in sarif_results(repo / "audit.sarif")] == [
        ("denied-path", ".env", None)
    ]
    machine = audit(repo, "--no-gates", "--json")
    data = json.loads(machine.stdout)
    assert machine.returncode == 1 and data["passed"] is False and data["gates"] is None
    assert [(f["rule"], f["path"], f["stage"]) for f in data["findings"]] == [
        ("denied-path", ".env", "security")
    ]
    assert data["changes"] == [{"path": ".env", "status": "added", "old_path": None}]


def test_a_path_outside_the_scope_is_a_finding(repo: Path) -> None:
    commit(repo, {"calc.py": CLEAN_MODULE + "# more\n", "docs/notes.md": "notes\n"})
    done = audit(repo, "--no-gates", "--scope", "calc.py", "--scope", "tests/**", "--json",
                 "--sarif", "audit.sarif")  # fmt: skip
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [(f["rule"], f["path"]) for f in findings] == [("out-of-scope", "docs/notes.md")]
    assert "(calc.py, tests/**)" in findings[0]["message"]
    assert [where(r) for r in sarif_results(repo / "audit.sarif")] == [
        ("out-of-scope", "docs/notes.md", None)
    ]
    assert audit(repo, "--no-gates", "--scope", "*").returncode == 0


def test_a_secret_is_found_at_its_line_and_its_value_is_never_shown(repo: Path) -> None:
    commit(repo, {"settings.py": f'import os\n\nTOKEN = "{TOKEN}"\n'})
    human = audit(repo, "--sarif", "audit.sarif")
    machine = audit(repo, "--json")
    assert (human.returncode, machine.returncode) == (1, 1), human.stderr
    assert "✗ [secret] settings.py:3" in human.stdout and "(github token)" in human.stdout
    [finding] = json.loads(machine.stdout)["findings"]
    assert (finding["rule"], finding["path"], finding["line"]) == ("secret", "settings.py", 3)
    assert [where(r) for r in sarif_results(repo / "audit.sarif")] == [("secret", "settings.py", 3)]
    outputs = [human.stdout, human.stderr, machine.stdout, machine.stderr]
    outputs.append((repo / "audit.sarif").read_text())
    for text in outputs:
        assert TOKEN not in text and TOKEN[4:] not in text


def test_a_failing_gate_is_a_finding_with_its_output(repo: Path) -> None:
    commit(repo, {"tests/test_calc.py": FAILING_TEST})
    human = audit(repo, "--sarif", "audit.sarif")
    assert human.returncode == 1, human.stderr
    assert "gate test: failed" in human.stderr
    assert "quality (1)" in human.stdout and "✗ [gate]" in human.stdout
    assert "quality gate 'test' failed (exit code 1)" in human.stdout
    assert "1 failed in" in human.stdout and "gates: test failed" in human.stdout
    [result] = sarif_results(repo / "audit.sarif")
    assert where(result) == ("gate", "baton.toml", None) and result["level"] == "error"
    machine = json.loads(audit(repo, "--json").stdout)
    [gate] = machine["gates"]
    assert (gate["name"], gate["source"], gate["status"], gate["exit_code"]) == (
        "test", "configured", "failed", 1,
    )  # fmt: skip
    assert [f["rule"] for f in machine["findings"]] == ["gate"]


def test_only_the_branch_since_its_merge_base_is_audited(repo: Path) -> None:
    commit(repo, {"calc.py": CLEAN_MODULE + "# feature\n"})
    git(repo, "checkout", "-q", "main")
    commit(repo, {".env": "ON_MAIN=1\n"}, "main moves on")
    git(repo, "checkout", "-q", "feature")
    data = json.loads(audit(repo, "--no-gates", "--json").stdout)
    assert [c["path"] for c in data["changes"]] == ["calc.py"] and data["passed"] is True
    assert data["base"]["merge_base"] != git(repo, "rev-parse", "main").strip()


def test_uncommitted_work_counts_only_with_worktree(repo: Path) -> None:
    (repo / "secrets").mkdir()
    (repo / "secrets" / "key.txt").write_text("not committed\n")
    status = git(repo, "status", "--porcelain")
    assert audit(repo, "--no-gates").returncode == 0
    done = audit(repo, "--no-gates", "--worktree", "--json")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert data["worktree"] is True
    assert [(f["rule"], f["path"]) for f in data["findings"]] == [
        ("denied-path", "secrets/key.txt")
    ]
    assert git(repo, "status", "--porcelain") == status  # the user's index is left alone


def test_a_symlink_out_of_the_repository_is_read_from_the_commit(repo: Path) -> None:
    (repo / "config").symlink_to("/etc/passwd")
    commit(repo, {})
    (repo / "config").unlink()  # what counts is the committed link, not the disk
    data = json.loads(audit(repo, "--no-gates", "--json").stdout)
    assert [(f["rule"], f["path"]) for f in data["findings"]] == [("symlink-escape", "config")]
    assert "/etc/passwd" in data["findings"][0]["message"]


def test_the_default_base_is_the_upstream_default_branch(repo: Path, tmp_path: Path) -> None:
    commit(repo, {"calc.py": CLEAN_MODULE + "# feature\n"})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--branch", "feature", str(repo), str(clone))
    assert json.loads(audit(clone, "--no-gates", "--json").stdout)["base"]["rev"] == "origin/HEAD"
    git(repo, "branch", "-q", "-m", "main", "master")
    assert json.loads(audit(repo, "--no-gates", "--json").stdout)["base"]["rev"] == "master"
    git(repo, "branch", "-q", "-m", "master", "trunk")
    done = audit(repo, "--no-gates")
    assert done.returncode == 2 and done.stdout == ""
    assert "no base branch found in" in done.stderr
    assert "tried origin/HEAD, origin/main, origin/master, main, master" in done.stderr
    assert "--base REV" in done.stderr
    assert audit(repo, "--no-gates", "--base", "trunk").returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base", "no-such-branch"], "--base 'no-such-branch' is not a commit in"),
        (["--base", "--help"], "--base '--help' is not a commit in"),
        (["--scope", "../elsewhere/**"], "--scope '../elsewhere/**' must be a glob relative to"),
        (["--scope", "src\\"], "--scope 'src\\' is not a valid glob"),
    ],
)
def test_bad_input_exits_2_naming_what_was_wrong(repo: Path, args: list[str], message: str) -> None:
    done = audit(repo, "--no-gates", *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in " ".join(done.stderr.split()) and done.stdout == ""


def test_outside_a_git_checkout_exits_2(tmp_path: Path) -> None:
    done = audit(tmp_path, "--no-gates")
    assert done.returncode == 2
    assert f"{tmp_path} is not inside a git working tree" in " ".join(done.stderr.split())


def test_a_sarif_file_that_cannot_be_written_exits_2(repo: Path) -> None:
    (repo / "taken").write_text("a file, not a directory\n")
    done = audit(repo, "--no-gates", "--sarif", "taken/audit.sarif")
    assert done.returncode == 2
    assert "cannot write the SARIF log to taken/audit.sarif" in " ".join(done.stderr.split())
