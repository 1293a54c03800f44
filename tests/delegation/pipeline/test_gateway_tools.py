"""The lead's view: `baton serve` over stdio, its own tools and resources, the real Codex behind.

A real MCP client session (the lead) lists Baton's tools, delegates with a progress token, reads
the diff as a resource, applies it, and reads the history; a lead that goes away mid-delegation
leaves no worker, no workspace and no run stuck as running — or, with `on_lead_disconnect =
"continue"`, a run that finishes without it and can be applied afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import psutil
import pytest
import tomlkit
from mcp import ClientSession, types
from tests.conftest import codex_cli, require_tool
from tests.delegation.pipeline.conftest import TEST_ENV_VARS, announced_workspaces
from tests.delegation.pipeline.test_scenarios import CHECK, HEALTH, add_file
from tests.fixtures.models.responses_server import (
    HANG,
    ResponsesServer,
    apply_patch_call,
    message,
    turn,
    write_codex_home,
)
from tests.gateway._client import baton_serve, session_on

from baton.ledger import SqliteLedger

pytestmark = [pytest.mark.npm, pytest.mark.anyio]

CALL_LIMIT_SEC = 180
TASK = {
    "goal": "Add a health() function returning the service status",
    "scope": ["src/health.py"],
    "acceptance": [
        {
            "text": "health() returns ok",
            "check": CHECK,
        }
    ],
}


def write_baton_toml(
    repo: Path,
    *,
    timeout_sec: float = 120.0,
    gate: str = "python -m pytest -q -p no:cacheprovider",
    review: dict[str, Any] | None = None,
) -> Path:
    """The project's baton.toml: one codex-exec worker, a pytest gate, `[review]` as given."""
    document = tomlkit.document()
    document["workers"] = {
        "codex": {
            "adapter": "codex-exec",
            "command": [str(codex_cli())],
            "env_vars": TEST_ENV_VARS,
            "timeout_sec": timeout_sec,
        }
    }
    document["gates"] = [{"name": "test", "command": gate}]
    if review:
        document["review"] = review
    path = repo / "baton.toml"
    path.write_text(tomlkit.dumps(document))
    return path


def serve_env(codex_env: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, **codex_env}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def payload(result: types.CallToolResult) -> dict[str, Any]:
    assert result.structuredContent is not None
    return result.structuredContent


async def test_the_lead_delegates_reads_the_diff_applies_and_sees_the_history(
    lead_repo: Path, tmp_path: Path
) -> None:
    require_tool("bwrap")
    config = write_baton_toml(lead_repo)
    script = [turn(apply_patch_call(add_file("src/health.py", HEALTH))), turn(message("Done."))]
    progress: list[str] = []

    async def on_progress(value: float, total: float | None, text: str | None) -> None:
        progress.append(text or "")

    with ResponsesServer(script) as server:
        env = serve_env(write_codex_home(tmp_path / "codex-home", server.base_url))
        async with session_on(baton_serve(config), cwd=lead_repo, env=env) as lead:
            names = [tool.name for tool in (await lead.list_tools()).tools]
            routed = payload(await lead.call_tool("route", TASK))
            with anyio.fail_after(CALL_LIMIT_SEC):
                done = await lead.call_tool("delegate", TASK, progress_callback=on_progress)
            result = payload(done)
            run_id = result["run_id"]
            listed = [str(r.uri) for r in (await lead.list_resources()).resources]
            diff = await lead.read_resource(f"baton://runs/{run_id}/diff")  # type: ignore[arg-type]
            applied = payload(await lead.call_tool("apply", {"run_id": run_id}))
            again = await lead.call_tool("apply", {"run_id": run_id})
            history = payload(await lead.call_tool("runs", {}))

    assert {"delegate", "delegate_reply", "route", "apply", "runs"} <= set(names)
    assert routed["route"] == "worker"
    assert not done.isError and result["verdict"] == "passed", result
    assert len(json.dumps(result)) < 20_000  # compact, whatever the diff
    assert f"baton://runs/{run_id}/diff" in result["resources"]
    assert any(text.startswith("worker: ") for text in progress)
    assert any("gate test: passed" in text for text in progress)
    assert f"baton://runs/{run_id}/diff" in listed
    diff_text = diff.contents[0].text  # type: ignore[union-attr]
    assert "+++ b/src/health.py" in diff_text
    assert applied["applied"] == ["src/health.py"]
    assert (lead_repo / "src" / "health.py").read_text() == HEALTH
    assert again.isError and "already applied" in again.content[0].text  # type: ignore[union-attr]
    assert history["runs"][0]["id"] == run_id and history["runs"][0]["verdict"] == "passed"


async def test_a_lead_that_only_lists_leaves_no_ledger_behind(lead_repo: Path) -> None:
    config = write_baton_toml(lead_repo)
    async with session_on(baton_serve(config), cwd=lead_repo, env=serve_env({})) as lead:
        tools = (await lead.list_tools()).tools
        resources = (await lead.list_resources()).resources
        templates = (await lead.list_resource_templates()).resourceTemplates

    assert "delegate" in [tool.name for tool in tools]
    assert resources == []
    assert [t.uriTemplate for t in templates] == ["baton://runs/{run_id}/{name}"]
    assert not (lead_repo / ".baton").exists()


async def test_bad_task_input_is_a_tool_error_naming_the_field(lead_repo: Path) -> None:
    config = write_baton_toml(lead_repo)
    async with session_on(baton_serve(config), cwd=lead_repo, env=serve_env({})) as lead:
        result = await lead.call_tool("delegate", {"goal": "x", "scope": ["/etc/passwd"]})
        unknown = await lead.call_tool("apply", {"run_id": "nope"})

    assert result.isError
    assert "scope" in result.content[0].text  # type: ignore[union-attr]
    assert unknown.isError and "nope" in unknown.content[0].text  # type: ignore[union-attr]


async def delegate_and_leave(
    config: Path, repo: Path, env: dict[str, str], *, leave_at: str
) -> list[str]:
    """A lead delegates, then goes away at the first progress message starting with `leave_at`.

    Returns the progress it saw.
    """
    left = anyio.Event()
    seen: list[str] = []

    async def on_progress(value: float, total: float | None, text: str | None) -> None:
        seen.append(text or "")
        if (text or "").startswith(leave_at):
            left.set()

    async def delegate(lead: ClientSession) -> None:
        await lead.call_tool("delegate", TASK, progress_callback=on_progress)

    with anyio.fail_after(CALL_LIMIT_SEC):
        async with (
            session_on(baton_serve(config), cwd=repo, env=env) as lead,
            anyio.create_task_group() as group,
        ):
            group.start_soon(delegate, lead)
            await left.wait()
            group.cancel_scope.cancel()  # the lead goes away: its session closes below
    return seen


async def test_a_lead_that_disconnects_mid_delegation_leaves_nothing_running(
    lead_repo: Path, tmp_path: Path
) -> None:
    require_tool("bwrap")
    config = write_baton_toml(lead_repo)
    with ResponsesServer([HANG]) as server:
        env = serve_env(write_codex_home(tmp_path / "codex-home", server.base_url))
        seen = await delegate_and_leave(config, lead_repo, env, leave_at="worker: ")

    ledger = SqliteLedger(lead_repo / ".baton" / "ledger.db", read_only=True)
    (run,) = ledger.list_runs()
    ledger.close()
    assert run.verdict == "cancelled"
    workspaces = announced_workspaces(seen)
    assert workspaces and not any(path.exists() for path in workspaces)
    inside = [  # the worker ran with its cwd in the workspace: nothing may still be there
        process.info["pid"]
        for process in psutil.process_iter(["pid", "cwd"])
        if str(process.info["cwd"] or "").startswith(str(workspaces[0]))
    ]
    assert not inside


async def test_with_continue_a_delegation_outlives_a_lead_that_disconnects(
    lead_repo: Path, tmp_path: Path
) -> None:
    require_tool("bwrap")
    # The gate's pause keeps the run going well after the lead has left.
    slow_gate = "sleep 4 && python -m pytest -q -p no:cacheprovider"
    config = write_baton_toml(lead_repo, gate=slow_gate, review={"on_lead_disconnect": "continue"})
    script = [turn(apply_patch_call(add_file("src/health.py", HEALTH))), turn(message("Done."))]
    ledger_file = lead_repo / ".baton" / "ledger.db"
    with ResponsesServer(script) as server:
        env = serve_env(write_codex_home(tmp_path / "codex-home", server.base_url))
        seen = await delegate_and_leave(config, lead_repo, env, leave_at="stage 1: ")
        left_at = time.monotonic()
        (running,) = _runs(ledger_file)
        alive_after_the_lead = _detached_runs(lead_repo)
        while (run := _runs(ledger_file)[0]).verdict is None:
            assert time.monotonic() - left_at < CALL_LIMIT_SEC, "the run never finished"
            await anyio.sleep(0.2)

    assert running.verdict is None and alive_after_the_lead  # running when the lead had gone ...
    assert run.verdict == "passed", _why(ledger_file, run.id)  # ... finished without it
    assert "find it later with `runs`" in seen[0]
    workspaces = announced_workspaces(seen)
    assert workspaces and not any(path.exists() for path in workspaces)
    while _detached_runs(lead_repo):  # the run's own process ends after its last record
        assert time.monotonic() - left_at < CALL_LIMIT_SEC, "the detached run never exited"
        await anyio.sleep(0.1)
    applied = subprocess.run(
        [sys.executable, "-m", "baton", "apply", run.id[:12], "--config", str(config)],
        cwd=lead_repo, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    assert (lead_repo / "src" / "health.py").read_text() == HEALTH


def _runs(ledger_file: Path) -> list[Any]:
    ledger = SqliteLedger(ledger_file, read_only=True)
    try:
        return list(ledger.list_runs())
    finally:
        ledger.close()


def _detached_runs(repo: Path) -> list[int]:
    """The `baton delegate` processes working in `repo`."""
    return [
        process.info["pid"]
        for process in psutil.process_iter(["pid", "cwd", "cmdline"])
        if process.info["cwd"] == str(repo) and "delegate" in (process.info["cmdline"] or [])
    ]


def _why(ledger_file: Path, run_id: str) -> str:
    """The whole recorded run, for an assertion's message."""
    ledger = SqliteLedger(ledger_file, read_only=True)
    try:
        return json.dumps(ledger.get_run(run_id).to_dict(), default=str)
    finally:
        ledger.close()
