"""`baton demo`, the README's main job: six delegations to the real Codex CLI, then the report.

The delegation demo runs as a user runs it (a subprocess), with the real Codex CLI jailed by
bubblewrap, real git, SQLite and pytest; only the model is scripted. The test then reads the
sample project and its ledger itself. `--gateway` is the gateway demo of seed 003.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from baton.config.schema import ReportConfig
from baton.demo.run import LiveModel, ScriptedModel
from baton.demo.tasks import DEMO_TASKS
from baton.ledger import SqliteLedger
from baton.report import build_report
from tests.conftest import baton_command, codex_cli, node_bin, require_tool

DESIGNED = {
    "format-price": ("passed", ["passed"], []),
    "stock-tests": ("passed", ["passed"], []),
    "health": ("passed", ["passed"], []),
    "ship": ("passed", ["retry", "passed"], ["out-of-scope README.md"]),
    "supplier": ("blocked", ["blocked"], ["secret inventory/supplier.py"]),
    "low-stock": ("fallback", ["retry", "fallback"], ["acceptance-check"]),
}
# The whole demo takes about 10 s here; the bound is the "well under 2 minutes".
DEMO_TIMEOUT_SEC = 110


def run_demo(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [*baton_command(), "demo", *args],
        capture_output=True, text=True, timeout=DEMO_TIMEOUT_SEC, cwd=cwd, env=env,
    )  # fmt: skip


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, Path]:
    """`baton demo --json --dir` run once: its JSON, the sample project, Baton's temp dir."""
    require_tool("bwrap")
    codex_cli()
    root = tmp_path_factory.mktemp("demo")
    temp, cwd, home = root / "tmp", root / "cwd", root / "home"
    for path in (temp, cwd, home):
        path.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env |= {"TMPDIR": str(temp), "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    done = run_demo("--json", "--dir", str(root / "sample"), cwd=cwd, env=env)
    assert done.returncode == 0, done.stderr
    assert not list(cwd.iterdir())  # nothing is written where it was started
    return json.loads(done.stdout), root / "sample", temp


@pytest.mark.npm
def test_six_delegations_end_as_designed_and_the_report_is_the_ledgers(
    demo_run: tuple[dict[str, Any], Path, Path],
) -> None:
    data, _, _ = demo_run
    assert data["model"] == "scripted" and data["completed"] is True
    got = {
        task.key: (item["verdict"], item["outcomes"], item["findings"])
        for task, item in zip(DEMO_TASKS, data["delegations"], strict=True)
    }
    assert got == DESIGNED
    assert [item["size"] for item in data["delegations"]] == ["S", "S", "M", "edge", "edge", "edge"]

    ledger = SqliteLedger(Path(data["ledger"]), read_only=True)
    try:
        records = ledger.run_records()
    finally:
        ledger.close()
    assert [r.id for r in records] == [item["run_id"] for item in data["delegations"]]
    report = build_report(records, ReportConfig())
    assert data["report"]["overall"] == report.to_dict()["overall"]
    with sqlite3.connect(data["ledger"]) as db:  # the seed's numbers, from the raw rows
        rows = db.execute("SELECT verdict, attempts FROM runs").fetchall()
        gates = db.execute("SELECT status FROM gates").fetchall()
    metrics = data["report"]["overall"]["metrics"]
    fallback = metrics["fallback_rate"]
    fallbacks = sum(verdict == "fallback" for verdict, _ in rows)
    assert (fallback["numerator"], fallback["denominator"]) == (fallbacks, len(rows)) == (1, 6)
    assert metrics["mean_retries"]["numerator"] == sum(n - 1 for _, n in rows) == 2
    assert {status for (status,) in gates} == {"passed"} and metrics["gate_pass_rate"]["met"]


@pytest.mark.npm
def test_the_sample_project_ends_with_the_passed_changes_and_its_tests_pass(
    demo_run: tuple[dict[str, Any], Path, Path],
) -> None:
    data, sample, temp = demo_run
    assert data["project"] == str(sample)
    applied = [path for item in data["delegations"] for path in item["applied"]]
    assert applied == [
        "inventory/pricing.py",
        "tests/test_stock.py",
        "inventory/app.py", "inventory/health.py", "tests/test_health.py",
        "inventory/stock.py",
    ]  # fmt: skip
    assert "def ship(" in (sample / "inventory" / "stock.py").read_text()
    assert "ship" not in (sample / "README.md").read_text()  # the out-of-scope edit never landed
    assert not (sample / "inventory" / "supplier.py").exists()  # blocked
    assert not (sample / "inventory" / "reports.py").exists()  # fallback: the lead's to do
    git = ["git", "-C", str(sample)]
    log = subprocess.run([*git, "log", "--format=%s"], capture_output=True, text=True, check=True)
    assert len(log.stdout.splitlines()) == 1 + 4  # the sample, then one commit per applied run
    status = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True)
    assert status.stdout == ""
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=sample, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout
    assert "9 passed" in tests.stdout and data["sample_tests"]["passed"]
    leftovers = [path.name for path in temp.iterdir()]  # workspaces, jail homes, Codex home
    assert leftovers == []


@pytest.mark.npm
def test_the_gateway_demo_finds_all_three_transports_and_every_call_succeeds(
    tmp_path: Path,
) -> None:
    node_bin("mcp-server-everything")
    done = subprocess.run(
        [*baton_command(), "demo", "--gateway", "--json"],
        capture_output=True, text=True, timeout=180, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    found = {row["server"]: row["transport"]["found"] for row in report["servers"]}
    assert found == {"local": "stdio", "remote": "streamable-http", "legacy": "sse"}
    assert all(call["ok"] for call in report["calls"]) and len(report["calls"]) == 4
    assert report["progress_updates"] == 10 and report["tool_count"] > 30
    assert report["own_tools"] == ["delegate", "delegate_reply", "route", "apply", "runs"]
    assert report["project"] is None  # without --keep the demo's project is removed
    assert not list(tmp_path.iterdir())  # and nothing is written where it was started


@pytest.mark.parametrize(
    ("args", "env_change", "said"),
    [
        (["--live"], {"OPENAI_API_KEY": None}, "--live needs OPENAI_API_KEY"),
        (["--gateway", "--live"], {}, "--gateway takes only --keep and --json"),
        (["--dir", "."], {}, "is not empty"),
        ([], {"PATH": ""}, "bubblewrap (bwrap) is not installed"),
    ],
    ids=["live-without-key", "gateway-with-live", "dir-not-empty", "no-bubblewrap"],
)
def test_what_the_demo_cannot_do_is_a_usage_error_saying_what_to_do(
    tmp_path: Path, args: list[str], env_change: dict[str, str | None], said: str
) -> None:
    (tmp_path / "mine.txt").write_text("the user's file\n")
    env = {k: v for k, v in os.environ.items() if env_change.get(k, v) is not None}
    env |= {k: v for k, v in env_change.items() if v is not None}
    done = run_demo(*args, cwd=tmp_path, env=env)
    assert done.returncode == 2, done.stderr
    assert said in " ".join(done.stderr.split())
    assert "hint:" in done.stderr or "--gateway" in said
    assert [path.name for path in tmp_path.iterdir()] == ["mine.txt"]


def test_live_runs_on_openais_provider_with_the_users_key_not_the_scripted_model(
    tmp_path: Path,
) -> None:
    live = LiveModel(tmp_path / "codex-home")
    with live.serve(DEMO_TASKS[0]) as env:
        config = (tmp_path / "codex-home" / "config.toml").read_text()
    assert "model_provider" not in config and "scripted" not in config  # Codex's default
    assert "SCRIPTED_API_KEY" not in env
    assert "OPENAI_API_KEY" in live.env_vars and "SCRIPTED_API_KEY" not in live.env_vars
    scripted = ScriptedModel(tmp_path / "scripted-home")
    assert "OPENAI_API_KEY" not in scripted.env_vars  # the user's key never reaches it
