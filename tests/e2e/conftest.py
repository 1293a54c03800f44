"""The lead's world for the end-to-end tests: a small service repository set up the way a user
sets Baton up, and the real Claude Code run in it against a scripted model, with the real Codex
(jailed) behind `baton serve` against another scripted model.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from baton.ledger import RunRecord, SqliteLedger
from tests.conftest import baton_command, node_bin, require_tool
from tests.delegation.pipeline.conftest import git
from tests.delegation.pipeline.test_gateway_tools import write_baton_toml
from tests.fixtures.models.anthropic_server import (
    Block,
    MessagesServer,
    Turn,
    result_text,
    tool_results,
)
from tests.fixtures.models.responses_server import ResponsesServer, write_codex_home

# One Codex call takes a few seconds here; this bounds a stuck one, and a delegation makes two.
WORKER_LIMIT_SEC = 40.0
# Claude Code's own wall-clock limit on one MCP call (ms): past both worker attempts.
MCP_TOOL_TIMEOUT_MS = 95_000
# The whole Claude Code session; under pytest's 120 s so a hang fails here, with Claude's stderr.
CLAUDE_LIMIT_SEC = 110
PROMPT = (
    "Add a health endpoint that checks the database, with unit tests for success and "
    "database failure"
)

DB = '''"""The service's database: one SQLite file."""

import sqlite3
from contextlib import closing

DATABASE = "service.db"


def ping() -> None:
    """Return if the database answers; raise sqlite3.Error if it does not."""
    with closing(sqlite3.connect(DATABASE)) as connection:
        connection.execute("SELECT 1")
'''
DB_TEST = """from pathlib import Path

import pytest

from app import db


def test_ping_answers_with_a_database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "DATABASE", str(tmp_path / "service.db"))
    db.ping()
"""


@pytest.fixture
def service(tmp_path: Path) -> Path:
    """A git repository of a small Python service, with Baton set up in it and committed.

    Claude Code's configuration comes only from `baton export claude` (`.mcp.json`) and
    `baton export claude-settings` (`.claude/settings.json`).
    """
    require_tool("bwrap")
    repo = tmp_path / "service"
    (repo / "app").mkdir(parents=True)
    (repo / "tests").mkdir()
    (repo / "app" / "__init__.py").write_text("")
    (repo / "app" / "db.py").write_text(DB)
    (repo / "tests" / "__init__.py").write_text("")
    (repo / "tests" / "test_db.py").write_text(DB_TEST)
    (repo / ".gitignore").write_text("__pycache__/\n*.db\n")
    write_baton_toml(repo, timeout_sec=WORKER_LIMIT_SEC)
    git(repo, "init", "-q", "-b", "main")
    for export in ("claude", "claude-settings"):
        subprocess.run(
            [*baton_command(), "export", export],
            cwd=repo, check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a service, with Baton set up")
    return repo


@dataclass
class Session:
    """One Claude Code session: its JSON outcome, and what each scripted model was asked."""

    outcome: dict[str, Any]
    lead: MessagesServer
    worker: ResponsesServer

    def answer(self, call: Block) -> Block:
        """The tool_result Claude Code sent the model for the tool_use `call`."""
        for request in self.lead.agent_requests:
            if found := tool_results(request).get(call["id"]):
                return found
        raise AssertionError(f"the model never got a result for {call['name']} ({call['id']})")


def payload(result: Block) -> dict[str, Any]:
    """The JSON a Baton tool answered, as the model read it (Claude Code may append reminders)."""
    data, _ = json.JSONDecoder().raw_decode(result_text(result))
    assert isinstance(data, dict), data
    return data


def run_claude(
    repo: Path,
    lead: list[Turn],
    worker: list[list[dict[str, Any]]],
    *,
    allowed: tuple[str, ...] = (),
) -> Session:
    """Claude Code in print mode on `repo`, Baton's tools (and `allowed`) allowed to run."""
    claude = node_bin("claude")
    home = repo.parent / "home"
    home.mkdir(exist_ok=True)
    with MessagesServer(lead) as model, ResponsesServer(worker) as codex:
        codex_env = write_codex_home(repo.parent / "codex-home", codex.base_url)
        env = {
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
            "HOME": str(home),
            "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"],
            "ANTHROPIC_BASE_URL": model.base_url,
            "ANTHROPIC_API_KEY": "sk-ant-scripted",
            "DISABLE_TELEMETRY": "1",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
            "MCP_TOOL_TIMEOUT": str(MCP_TOOL_TIMEOUT_MS),
            **codex_env,  # what `baton serve` hands the jailed Codex (baton.toml's env_vars)
        }
        done = subprocess.run(
            [
                str(claude), "-p", PROMPT, "--output-format", "json",
                "--model", "claude-sonnet-4-5", "--allowedTools", "mcp__baton", *allowed,
            ],
            cwd=repo, env=env, capture_output=True, text=True, timeout=CLAUDE_LIMIT_SEC,
        )  # fmt: skip
    if model.failures:
        raise model.failures[0]
    assert done.returncode == 0, done.stderr or done.stdout
    return Session(json.loads(done.stdout), model, codex)


def the_run(repo: Path) -> tuple[RunRecord, str]:
    """The one run in the project's ledger, and its worker log."""
    ledger = SqliteLedger(repo / ".baton" / "ledger.db", read_only=True)
    try:
        (summary,) = ledger.list_runs()
        return ledger.get_run(summary.id), ledger.get_artifact(summary.id, "worker.log")
    finally:
        ledger.close()
