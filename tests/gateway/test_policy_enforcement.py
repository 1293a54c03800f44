"""`baton serve` applies the project's policy: a denied call never reaches its upstream, and
secrets in results are redacted before the lead sees them."""

from __future__ import annotations

import os
from pathlib import Path

import anyio
import pytest
from mcp import types

from tests.conftest import fixture_server
from tests.gateway._client import baton_serve, session_on, write_config

pytestmark = pytest.mark.anyio

SECRET = "SECRET_TOKEN=do-not-leak-9931"
TOKEN = "ghp_" + "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8"


def text_of(result: types.CallToolResult) -> str:
    return "".join(block.text for block in result.content if isinstance(block, types.TextContent))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".env").write_text(SECRET + "\n")
    (tmp_path / "notes.txt").write_text(f"deploy token: {TOKEN}\n")
    command = fixture_server("faulty.py")
    write_config(
        tmp_path / "baton.toml",
        {"files": {"command": command[0], "args": command[1:], "cwd": str(tmp_path)}},
    )
    return tmp_path


async def test_a_denied_call_is_refused_and_a_leaked_token_is_redacted(project: Path) -> None:
    env = {**os.environ, "LEAKY": TOKEN}
    with anyio.fail_after(60):
        async with session_on(baton_serve(project / "baton.toml"), env=env) as lead:
            env_file = await lead.call_tool("files__read_file", {"path": ".env"})
            sneaky = await lead.call_tool("files__read_file", {"path": "docs/../.env"})
            notes = await lead.call_tool("files__read_file", {"path": "notes.txt"})
            echoed = await lead.call_tool("files__echo", {"message": f"here: {TOKEN}"})
    for refused in (env_file, sneaky):
        assert refused.isError and "blocked by policy [denied-path]" in text_of(refused)
        assert SECRET not in text_of(refused)
    assert "deploy token: [REDACTED by baton: github token]" in text_of(notes)
    assert TOKEN not in text_of(notes) + text_of(echoed)


async def test_redaction_can_be_switched_off_in_baton_toml(project: Path) -> None:
    config = project / "baton.toml"
    config.write_text(config.read_text() + "\n[policy]\nredact_secrets = false\n")
    with anyio.fail_after(60):
        async with session_on(baton_serve(config)) as lead:
            notes = await lead.call_tool("files__read_file", {"path": "notes.txt"})
    assert TOKEN in text_of(notes)
