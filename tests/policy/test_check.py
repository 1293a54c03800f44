"""`baton policy check` on fixtures reproducing the seed's contradictions, and on a clean setup."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import baton_command


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    return root


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def check(project: Path) -> tuple[int, list[dict[str, Any]]]:
    done = subprocess.run(
        [*baton_command(), "policy", "check", "--json"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)["findings"]


def only(findings: list[dict[str, Any]], rule: str) -> dict[str, Any]:
    matching = [finding for finding in findings if finding["rule"] == rule]
    assert len(matching) == 1, findings
    return matching[0]


def test_seed_1_a_write_sandbox_by_default(project: Path) -> None:
    write(
        project / ".codex" / "config.toml",
        '# team defaults\nmodel = "gpt-5"\nsandbox_mode = "workspace-write"\n',
    )
    code, findings = check(project)
    found = only(findings, "write-sandbox-default")
    assert code == 1 and found["severity"] == "P1"
    assert (found["file"], found["line"]) == (".codex/config.toml", 3)
    assert "read-only" in found["fix"]


def test_seed_2_approval_never_with_a_write_sandbox(project: Path) -> None:
    write(
        project / ".codex" / "config.toml",
        'approval_policy = "never"\nsandbox_mode = "danger-full-access"\n',
    )
    code, findings = check(project)
    found = only(findings, "approval-never-with-write")
    assert code == 1 and found["line"] == 1


def test_seed_3_retry_counts_that_differ_between_sources(project: Path) -> None:
    write(
        project / "CLAUDE.md",
        "# Rules\n\nOn a Stage 1 failure, re-delegate; retry up to 3 times.\n",
    )
    code, findings = check(project)
    found = only(findings, "retry-count-mismatch")
    assert (found["file"], found["line"], found["severity"]) == ("CLAUDE.md", 3, "P2")
    assert "3 retries" in found["message"] and "allows 1" in found["message"]
    assert code == 0  # P2 only


def test_seed_4_routing_that_can_send_protected_paths_to_the_worker(project: Path) -> None:
    (project / ".claude").mkdir()
    write(project / "baton.toml", '[policy]\nprotected_paths = ["infra/**"]\n')
    code, findings = check(project)
    found = only(findings, "protected-to-worker")
    assert code == 1 and ".claude/**" in found["fix"]


def test_settings_drift_shadowing_and_unanchored_rules(project: Path) -> None:
    write(
        project / ".claude" / "settings.json",
        json.dumps(
            {
                "permissions": {"allow": ["Bash(git push:*)", "mcp__github__*"], "deny": []},
            },
            indent=2,
        ),
    )
    _, findings = check(project)
    assert only(findings, "allow-shadows-deny")["line"] == 4  # the line of "Bash(git push:*)"
    assert (
        only(findings, "unanchored-mcp-allow")["fix"]
        == "write `mcp__github` to allow a server's tools"
    )
    assert only(findings, "hook-missing")["severity"] == "P1"
    assert only(findings, "deny-drift")["severity"] == "P2"


def test_literal_tokens_missing_gate_tools_and_denied_scopes(project: Path) -> None:
    write(
        project / ".mcp.json",
        json.dumps(
            {
                "mcpServers": {
                    "gh": {
                        "type": "http",
                        "url": "https://api.example/mcp",
                        "headers": {"Authorization": "Bearer ghp_abcdefghijklmnop1234"},
                    }
                }
            },
            indent=2,
        ),
    )
    write(
        project / "baton.toml",
        '[routing]\nmodules = ["src/*", "config/secrets/*"]\n\n'
        '[[gates]]\nname = "lint"\ncommand = "no-such-linter-xyz check"\n',
    )
    _, findings = check(project)
    token = only(findings, "literal-bearer-token")
    assert (token["file"], token["line"]) == (".mcp.json", 7)
    assert "no-such-linter-xyz" in only(findings, "gate-missing-tool")["message"]
    assert "config/secrets/*" in only(findings, "scope-intersects-denied")["message"]
    assert "ghp_abcdefghijklmnop1234" not in json.dumps(findings)  # a finding never repeats a token


def test_a_setup_generated_by_baton_export_has_no_findings(project: Path) -> None:
    (project / ".claude").mkdir()
    (project / "infra").mkdir()
    write(project / "CLAUDE.md", "Stage 1 fails: max_attempts = 2.\n")
    for args in (
        ["claude-settings"],
        ["codex-config", str(project / ".codex" / "config.toml")],
        ["claude"],
    ):
        subprocess.run(
            [*baton_command(), "export", *args],
            cwd=project,
            check=True,
            capture_output=True,
            timeout=60,
        )
    code, findings = check(project)
    assert (code, findings) == (0, [])
