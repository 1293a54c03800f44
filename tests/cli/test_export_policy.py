"""`baton export claude-settings` / `codex-config`: the policy written out, nothing lost."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import baton_command, codex_cli


def export(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*baton_command(), "export", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    return tmp_path


def test_claude_settings_keep_the_users_settings_and_are_idempotent(project: Path) -> None:
    settings = project / ".claude" / "settings.json"
    settings.parent.mkdir()
    mine = {
        "model": "opus",
        "permissions": {"allow": ["Bash(npm test:*)"], "deny": ["Read(./private/**)"]},
        "hooks": {
            "PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "fmt"}]}]
        },
    }
    settings.write_text(json.dumps(mine))
    assert export(project, "claude-settings").returncode == 0
    first = settings.read_text()
    assert export(project, "claude-settings").returncode == 0
    assert settings.read_text() == first  # a second export changes nothing
    written = json.loads(first)
    assert written["model"] == "opus" and written["permissions"]["allow"] == ["Bash(npm test:*)"]
    assert written["permissions"]["deny"][0] == "Read(./private/**)"
    assert {"Read(**/.env)", "Bash(git push --force:*)"} <= set(written["permissions"]["deny"])
    assert written["hooks"]["PostToolUse"] == mine["hooks"]["PostToolUse"]
    (group,) = written["hooks"]["PreToolUse"]
    assert group["hooks"][0]["command"].endswith("baton hook")


def test_the_policy_in_baton_toml_is_what_is_exported(project: Path) -> None:
    (project / "baton.toml").write_text(
        '[policy]\ndenied_paths = ["*.sqlite"]\ndenied_commands = []\n'
    )
    done = export(project, "claude-settings", "--dry-run", "--json")
    deny = json.loads(json.loads(done.stdout)["content"])["permissions"]["deny"]
    assert deny == ["Read(**/*.sqlite)", "Edit(**/*.sqlite)"]
    assert not (project / ".claude").exists()


def test_codex_config_keeps_comments_and_does_not_override_without_force(project: Path) -> None:
    config = project / "codex.toml"
    config.write_text('# my codex setup\nmodel = "gpt-5"\napproval_policy = "on-request"\n')
    assert export(project, "codex-config", str(config)).returncode == 0
    text = config.read_text()
    assert text.startswith('# my codex setup\nmodel = "gpt-5"')
    assert 'approval_policy = "on-request"' in text and 'sandbox_mode = "read-only"' in text
    assert export(project, "codex-config", str(config), "--force").returncode == 0
    assert 'approval_policy = "never"' in config.read_text()


@pytest.mark.npm
def test_real_codex_accepts_the_exported_config(project: Path, tmp_path: Path) -> None:
    codex_home = tmp_path / "codex-home"
    assert export(project, "codex-config", str(codex_home / "config.toml")).returncode == 0
    done = subprocess.run(
        [str(codex_cli()), "mcp", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CODEX_HOME": str(codex_home)},
    )
    assert done.returncode == 0, done.stderr


def test_instructions_are_rendered_from_the_policy_and_the_task(project: Path) -> None:
    (project / "baton.toml").write_text(
        '[policy]\narchitecture_rules = ["Do not call the DB from views"]\n'
    )
    plain = export(project, "instructions")
    assert plain.returncode == 0
    assert "NEVER read, write, create or list .env" in plain.stdout
    assert "NEVER call the DB from views" in plain.stdout
    task = project / "task.md"
    task.write_text(
        "[Task]\n- Scope: src/health/**\n- Goal: add a health endpoint\n\n"
        "[Acceptance Criteria]\n- [ ] GET /health returns 200\n"
    )
    done = export(project, "instructions", "--task", str(task), "--json")
    text = json.loads(done.stdout)["instructions"]
    assert "MUST only create, modify or delete files matching src/health/**" in text
