"""`kill -9` of Baton in the middle of a delegation, at three moments.

After each: the ledger reopens consistent with every completed run; the jailed Codex died with
Baton; and the next delegation clears the workspace and jail home left behind and records the
killed run as `interrupted`.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from baton.ledger import SqliteLedger
from tests.conftest import baton_command, require_tool
from tests.delegation.pipeline.conftest import make_lead_repo
from tests.delegation.pipeline.test_gateway_tools import write_baton_toml
from tests.delegation.pipeline.test_scenarios import CHECK, HEALTH, add_file
from tests.fixtures.models.responses_server import (
    HANG,
    ResponsesServer,
    apply_patch_call,
    message,
    turn,
    write_codex_home,
)

pytestmark = [pytest.mark.npm]

TASK = f"""[Task]
- Scope: src/health.py
- Goal: Add a health() function returning the service status
[Acceptance Criteria]
- [ ] health() returns ok (check: `{CHECK}`)
"""
RUN_LIMIT_SEC = 120
# How long the jailed worker may take to die after Baton did (bwrap --die-with-parent).
DEATH_LIMIT_SEC = 15


def delegate(repo: Path, env: dict[str, str], task: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*baton_command(), "delegate", str(task)], cwd=repo, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def environment(home: Path, base_url: str) -> dict[str, str]:
    env = {**os.environ, **write_codex_home(home, base_url)}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    return env


def run_baton(repo: Path, env: dict[str, str], task: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*baton_command(), "delegate", str(task), "--json", "--quiet"], cwd=repo, env=env,
        capture_output=True, text=True, timeout=RUN_LIMIT_SEC,
    )  # fmt: skip


def kill_at(process: subprocess.Popen[str], moment: str) -> tuple[list[str], list[psutil.Process]]:
    """Read progress until a line starts with `moment`, then kill -9 Baton; its last children."""
    assert process.stderr is not None
    lines: list[str] = []
    for line in process.stderr:  # ends if Baton ends: then the assertion below says so
        lines.append(line.strip().removeprefix("… "))
        if lines[-1].startswith(moment):
            break
    assert lines and lines[-1].startswith(moment), lines
    children = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=RUN_LIMIT_SEC)
    return lines, children


@pytest.mark.parametrize("moment", ["worker: ", "stage 1: ", "attempt 1: passed"])
def test_kill_9_mid_delegation_loses_nothing_and_leaves_nothing(
    tmp_path: Path, moment: str
) -> None:
    require_tool("bwrap")
    repo = make_lead_repo(tmp_path / "lead")
    write_baton_toml(repo)
    task = tmp_path / "task.md"
    task.write_text(TASK)
    passing = [turn(apply_patch_call(add_file("src/health.py", HEALTH))), turn(message("Done."))]
    middle = [HANG] if moment == "worker: " else passing  # the run that is killed
    with ResponsesServer(passing + middle) as server:
        env = environment(tmp_path / "codex-home", server.base_url)
        completed = json.loads(run_baton(repo, env, task).stdout)["run_id"]
        lines, children = kill_at(delegate(repo, env, task), moment)
        _, alive = psutil.wait_procs(children, timeout=DEATH_LIMIT_SEC)
    left = [Path(line.split(": ", 1)[1]) for line in lines if line.startswith("workspace ")]
    database = repo / ".baton" / "ledger.db"
    with sqlite3.connect(database) as connection:
        (integrity,) = connection.execute("PRAGMA integrity_check").fetchone()
    reader = SqliteLedger(database, read_only=True)
    runs = {run.id: run for run in reader.list_runs()}
    reader.close()
    with ResponsesServer(passing) as server:  # the killed run may or may not have used its turns
        after = run_baton(repo, environment(tmp_path / "codex-home", server.base_url), task)

    assert not alive, f"outlived Baton: {[p.info for p in alive]}"
    assert integrity == "ok"
    assert runs[completed].verdict == "passed"  # the completed run survived the kill
    (killed,) = [run_id for run_id in runs if run_id != completed]
    assert after.returncode == 0, after.stderr
    ledger = SqliteLedger(database, read_only=True)
    record = ledger.get_run(killed)
    ledger.close()
    assert record.verdict in ("interrupted", "passed")  # it may have finished before the kill
    if record.verdict == "interrupted":
        assert all(a.verdict is not None for a in record.attempt_records)
    assert left and not any(path.exists() for path in left)
    assert not list((repo / ".baton" / "running").glob("*.json"))
