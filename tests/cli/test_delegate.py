"""`baton delegate`, `baton reply`, `baton apply` as a CI job runs them: real Codex, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import baton_command, require_tool
from tests.delegation.pipeline.conftest import git, make_lead_repo
from tests.delegation.pipeline.test_gateway_tools import write_baton_toml
from tests.delegation.pipeline.test_scenarios import HEALTH, add_file, update_readme
from tests.fixtures.models.responses_server import (
    ResponsesServer,
    apply_patch_call,
    message,
    turn,
    write_codex_home,
)

pytestmark = [pytest.mark.npm]

CHECK = "python -c \"from src.health import health; assert health()['status'] == 'ok'\""
TASK = f"""[Task]
- Scope: src/health.py
- Goal: Add a health() function returning the service status
[Acceptance Criteria]
- [ ] health() returns ok (check: `{CHECK}`)
"""
RUN_LIMIT_SEC = 180


@pytest.fixture
def lead_repo(tmp_path: Path) -> Path:
    """The lead's repository (the same one the pipeline scenarios use)."""
    return make_lead_repo(tmp_path / "lead")


def baton(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*baton_command(), *args], cwd=repo, env=env, capture_output=True, text=True,
        timeout=RUN_LIMIT_SEC,
    )  # fmt: skip


def environment(home: Path, base_url: str) -> dict[str, str]:
    env = {**os.environ, **write_codex_home(home, base_url)}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def test_delegate_passes_exits_0_and_apply_puts_the_diff_in_the_tree(
    lead_repo: Path, tmp_path: Path
) -> None:
    require_tool("bwrap")
    write_baton_toml(lead_repo)
    (tmp_path / "task.md").write_text(TASK)
    script = [turn(apply_patch_call(add_file("src/health.py", HEALTH))), turn(message("Done."))]
    with ResponsesServer(script) as server:
        env = environment(tmp_path / "codex-home", server.base_url)
        done = baton(lead_repo, env, "delegate", str(tmp_path / "task.md"), "--json")
        result = json.loads(done.stdout)
        applied = baton(lead_repo, env, "apply", result["run_id"][:16], "--json")
        shown = baton(lead_repo, env, "runs", "--json")

    assert done.returncode == 0, done.stderr
    assert result["verdict"] == "passed"
    assert "… worker: " in done.stderr  # progress goes to stderr, the result alone to stdout
    assert applied.returncode == 0, applied.stderr
    assert json.loads(applied.stdout)["files"] == ["src/health.py"]
    assert (lead_repo / "src" / "health.py").read_text() == HEALTH
    assert json.loads(shown.stdout)[0]["verdict"] == "passed"


def test_delegate_that_falls_back_exits_1_and_leaves_the_tree(
    lead_repo: Path, tmp_path: Path
) -> None:
    require_tool("bwrap")
    write_baton_toml(lead_repo)
    (tmp_path / "task.md").write_text(TASK)
    script = [
        turn(apply_patch_call(update_readme("# service", "# changed"))),
        turn(message("Changed the README.")),
        turn(message("Still needed.")),
    ]
    before = git(lead_repo, "status", "--porcelain")
    with ResponsesServer(script) as server:
        env = environment(tmp_path / "codex-home", server.base_url)
        done = baton(lead_repo, env, "delegate", str(tmp_path / "task.md"), "--quiet")
        refused = baton(lead_repo, env, "apply", "2")

    assert done.returncode == 1, done.stderr
    assert "fallback" in done.stdout and "README.md" in done.stdout
    assert done.stderr == ""
    assert refused.returncode == 2 and "fallback" in refused.stderr
    assert git(lead_repo, "status", "--porcelain") == before


def test_malformed_task_and_unknown_worker_exit_2(lead_repo: Path, tmp_path: Path) -> None:
    write_baton_toml(lead_repo)
    (tmp_path / "bad.md").write_text("[Task]\n- Scope: /etc/passwd\n- Goal: x\n")
    (tmp_path / "task.md").write_text(TASK)
    env = dict(os.environ)
    bad = baton(lead_repo, env, "delegate", str(tmp_path / "bad.md"))
    unknown = baton(lead_repo, env, "delegate", str(tmp_path / "task.md"), "--worker", "nope")

    assert bad.returncode == 2 and "scope" in bad.stderr
    assert unknown.returncode == 2 and "unknown worker 'nope'" in unknown.stderr
    assert "codex" in unknown.stderr
