"""`baton demo`, the README's main job: the three transports found, every call answered."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import baton_command, node_bin

pytestmark = pytest.mark.npm


def test_the_demo_finds_all_three_transports_and_every_call_succeeds(tmp_path: Path) -> None:
    node_bin("mcp-server-everything")
    done = subprocess.run(
        [*baton_command(), "demo", "--json"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    found = {row["server"]: row["transport"]["found"] for row in report["servers"]}
    assert found == {"local": "stdio", "remote": "streamable-http", "legacy": "sse"}
    assert all(call["ok"] for call in report["calls"]) and len(report["calls"]) == 4
    assert report["progress_updates"] == 10 and report["tool_count"] > 30
    assert report["own_tools"] == ["delegate", "delegate_reply", "route", "apply", "runs"]
    assert report["project"] is None  # without --keep the demo's project is removed
    assert not list(tmp_path.iterdir())  # and nothing is written where it was started
