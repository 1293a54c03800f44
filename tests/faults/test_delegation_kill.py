"""`kill -9` of Baton in the middle of a delegation, at three moments.

After each: the ledger reopens consistent with every completed run; the jailed Codex died with
Baton; and the next delegation clears the workspace and jail home left behind and records the
killed run as `interrupted`.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
import subprocess
from pathlib import Path

import psutil
import pytest

from baton.ledger import SqliteLedger
from tests.cli.test_delegate import TASK, baton, environment
from tests.conftest import baton_command, require_tool
from tests.delegation.pipeline.conftest import make_lead_repo
from tests.delegation.pipeline.test_gateway_tools import write_baton_toml
from tests.delegation.pipeline.test_scenarios import HEALTH, add_file
from tests.fixtures.models.responses_server import (
    HANG,
    ResponsesServer,
    apply_patch_call,
    message,
    turn,
)

pytestmark = [pytest.mark.npm]

# How long the jailed worker may take to die after Baton did (bwrap --die-with-parent).
DEATH_LIMIT_SEC = 15
# Killed while the worker hangs, and while the gates run: the run cannot have ended.
UNFINISHED = ("worker: ", "stage 1: ")
# Killed right after the verdict: the run may have ended (recorded, cleaned up) before the kill.
FINISHING = "attempt 1: passed"


def delegate(repo: Path, env: dict[str, str], task: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*baton_command(), "delegate", str(task)], cwd=repo, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def delegate_to_the_end(repo: Path, env: dict[str, str], task: Path) -> str:
    """A whole `baton delegate` run; its run id."""
    done = baton(repo, env, "delegate", str(task), "--json", "--quiet")
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["run_id"])


def name_of(process: psutil.Process) -> str:
    with contextlib.suppress(psutil.Error):  # a zombie (a finished `git`) has no name to read
        return process.name()
    return "?"


def kill_at(
    process: subprocess.Popen[str], moment: str
) -> tuple[list[str], list[psutil.Process], list[str]]:
    """Read progress until a line starts with `moment`, then kill -9 Baton.

    Returns the progress read, and Baton's last children with their names.
    """
    assert process.stderr is not None
    lines: list[str] = []
    for line in process.stderr:  # ends if Baton ends: then the assertion below says so
        lines.append(line.strip().removeprefix("… "))
        if lines[-1].startswith(moment):
            break
    assert lines and lines[-1].startswith(moment), lines
    children = psutil.Process(process.pid).children(recursive=True)
    names = [name_of(child) for child in children]
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=DEATH_LIMIT_SEC)
    return lines, children, names


def leftovers(repo: Path, run_id: str) -> list[Path]:
    """The directories the killed run's marker says it made, if the marker is still there."""
    marker = repo / ".baton" / "running" / f"{run_id}.json"
    return (
        [Path(path) for path in json.loads(marker.read_text())["paths"]] if marker.exists() else []
    )


@pytest.mark.parametrize("moment", [*UNFINISHED, FINISHING])
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
        completed = delegate_to_the_end(repo, env, task)
        lines, children, names = kill_at(delegate(repo, env, task), moment)
        _, alive = psutil.wait_procs(children, timeout=DEATH_LIMIT_SEC)
    database = repo / ".baton" / "ledger.db"
    with sqlite3.connect(database) as connection:
        (integrity,) = connection.execute("PRAGMA integrity_check").fetchone()
    reader = SqliteLedger(database, read_only=True)
    runs = {run.id: run for run in reader.list_runs()}
    reader.close()
    (killed,) = [run_id for run_id in runs if run_id != completed]
    left = leftovers(repo, killed)
    there = [path for path in left if path.exists()]
    with ResponsesServer(passing) as server:  # the killed run may or may not have used its turns
        delegate_to_the_end(repo, environment(tmp_path / "codex-home", server.base_url), task)
    ledger = SqliteLedger(database, read_only=True)
    record = ledger.get_run(killed)
    ledger.close()

    assert not alive, f"outlived Baton: {alive}"
    assert integrity == "ok"
    assert runs[completed].verdict == "passed"  # the completed run survived the kill
    assert not any(path.exists() for path in left), "the next run did not clear the leftovers"
    assert not list(Path(env["TMPDIR"]).glob("baton-*"))  # no workspace or jail home, of any run
    assert not list((repo / ".baton" / "running").glob("*.json"))
    if moment == FINISHING:
        assert record.verdict in ("interrupted", "passed")
        assert [a.verdict for a in record.attempt_records] in (["interrupted"], ["passed"])
        return
    workspace = Path(
        next(line for line in lines if line.startswith("workspace ready: ")).split(": ", 1)[1]
    )
    assert moment != "worker: " or "bwrap" in names, names  # the worker was running, jailed
    # Killed before it ended, the run left its workspace, the workspace's git dir and its jail
    # home, named in its marker; the next delegation removed them and marked the run.
    assert there == left and workspace in left and len(left) == 3, left
    assert any(path.name.startswith("baton-jail-home-") for path in left), left
    assert record.verdict == "interrupted"
    assert [a.verdict for a in record.attempt_records] == ["interrupted"]
