"""Seed 003's end state, checked with the real Codex CLI: `baton export codex` writes a bearer
server in the `bearer_token_env_var` form (the token stays in the environment), and Codex reads
the file and reports that server as a bearer-token server, not as "not logged in"."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.auth._support import baton, write_config
from tests.conftest import codex_cli

CODEX_TIMEOUT_SEC = 60
TOKEN = "ghp_never-in-any-file-0123456789"

CONFIG = """\
[servers.github]
url = "https://api.githubcopilot.com/mcp/"
bearer_token_env_var = "GITHUB_TOKEN"

[servers.atlassian]
url = "https://mcp.atlassian.com/v1/sse"

[servers.internal]
url = "https://internal.example.com/mcp"

[servers.internal.oauth]
client_id = "baton"
"""


@pytest.mark.npm
def test_codex_accepts_the_exported_bearer_server(tmp_path: Path, isolated_home: Path) -> None:
    codex = codex_cli()
    config = write_config(tmp_path, CONFIG)
    env = {"GITHUB_TOKEN": TOKEN}
    ran = baton("export", "codex", "-c", str(config), env=env, outputs=[])
    assert ran.code == 0, ran.stderr
    written = (isolated_home / ".codex" / "config.toml").read_text()
    assert 'bearer_token_env_var = "GITHUB_TOKEN"' in written
    assert TOKEN not in written and "oauth" not in written  # Codex has no such table

    listed = subprocess.run(
        [str(codex), "mcp", "list", "--json"],
        env={**os.environ, **env, "CODEX_HOME": str(isolated_home / ".codex")},
        capture_output=True,
        text=True,
        timeout=CODEX_TIMEOUT_SEC,
        check=True,
    )
    servers = {entry["name"]: entry for entry in json.loads(listed.stdout)}
    assert set(servers) == {"github", "atlassian", "internal"}
    assert servers["github"]["transport"]["bearer_token_env_var"] == "GITHUB_TOKEN"
    assert servers["github"]["auth_status"] == "bearer_token"
    assert TOKEN not in listed.stdout + listed.stderr
