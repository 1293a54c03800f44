"""The real Claude Code CLI, configured only by `baton export claude-settings`, against a scripted
model: the policy blocks a force push and a read of `.env`, the model is told why, `ls` runs."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import baton_command, node_bin
from tests.fixtures.models.anthropic_server import MessagesServer, text, tool_results, tool_use

pytestmark = pytest.mark.npm

SECRET = "sk-live-do-not-leak-4242"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / "README.md").write_text("# demo\n")
    (root / ".env").write_text(f"SECRET_TOKEN={SECRET}\n")
    subprocess.run(
        [*baton_command(), "export", "claude-settings"],
        cwd=root,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return root


def run_claude(
    project: Path, script: list[list[dict[str, Any]]]
) -> tuple[MessagesServer, dict[str, Any]]:
    """Claude Code in print mode with every Bash command allowed: only Baton's policy can block."""
    claude = node_bin("claude")
    home = project.parent / "home"
    home.mkdir(exist_ok=True)
    with MessagesServer(script) as server:
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(home),
            "ANTHROPIC_BASE_URL": server.base_url,
            "ANTHROPIC_API_KEY": "sk-ant-scripted",
            "DISABLE_TELEMETRY": "1",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
        }
        done = subprocess.run(
            [
                str(claude),
                "-p",
                "tidy the repository",
                "--output-format",
                "json",
                "--allowedTools",
                "Bash",
                "--model",
                "claude-sonnet-4-5",
            ],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert done.returncode == 0, done.stderr
    return server, json.loads(done.stdout)


def test_force_push_and_reading_env_are_blocked_and_ls_runs(project: Path) -> None:
    push = tool_use("Bash", {"command": "git push --force origin main", "description": "push"})
    read = tool_use("Read", {"file_path": str(project / ".env")})
    ls = tool_use("Bash", {"command": "ls", "description": "list files"})
    server, outcome = run_claude(project, [[push], [read], [ls], [text("finished")]])

    pushed, was_read, listed = (tool_results(server.agent_requests[n]) for n in (1, 2, 3))
    assert pushed[push["id"]]["is_error"]
    assert "Blocked by baton policy [force-push]" in pushed[push["id"]]["content"]
    assert was_read[read["id"]]["is_error"] and "denied" in was_read[read["id"]]["content"]
    assert not listed[ls["id"]]["is_error"] and "README.md" in listed[ls["id"]]["content"]
    assert {d["tool_use_id"] for d in outcome["permission_denials"]} == {push["id"], read["id"]}
    assert SECRET not in json.dumps(server.agent_requests + server.side_requests)


def test_the_hook_alone_blocks_a_read_the_static_rules_do_not_name(project: Path) -> None:
    settings_file = project / ".claude" / "settings.json"
    settings = json.loads(settings_file.read_text())
    settings["permissions"]["deny"] = []  # only the hook is left
    settings_file.write_text(json.dumps(settings))
    (project / "notes.txt").symlink_to(project / ".env")
    read = tool_use("Read", {"file_path": str(project / "notes.txt")})
    server, _ = run_claude(project, [[read], [text("finished")]])

    result = tool_results(server.agent_requests[1])[read["id"]]
    assert result["is_error"] and "Blocked by baton policy [denied-path]" in result["content"]
    assert SECRET not in json.dumps(server.agent_requests + server.side_requests)
