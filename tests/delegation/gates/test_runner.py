"""Running gates for real: ruff, pytest and npm in small projects, timeouts, order, redaction."""

from __future__ import annotations

import json
import os
import select
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
import pytest

from baton.audit import GateOutcome
from baton.config.schema import GateConfig
from baton.delegation import _process_group
from baton.delegation.gates import Gate, _process, detect_gates, gates_for, run_gates
from tests.delegation.gates.conftest import FAILING_TEST, Project, tool_env

pytestmark = pytest.mark.anyio

# Every run here finishes in seconds; a hang fails the test instead of blocking the suite.
RUN_LIMIT_SEC = 60
DEATH_LIMIT_SEC = 5


async def run(
    gates: list[Gate],
    workspace: Path,
    env: dict[str, str],
    *,
    timeout_sec: float = 600.0,
    on_progress: Callable[[str], Awaitable[None]] | None = None,
) -> list[GateOutcome]:
    with anyio.fail_after(RUN_LIMIT_SEC):
        return await run_gates(
            gates, workspace, env=env, timeout_sec=timeout_sec, on_progress=on_progress
        )


def is_gone(pid: int) -> bool:
    """Whether the process has ended: its pidfd turns readable then, zombie or reaped."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        # SIGKILL is sent by the time a gate returns; dying takes the kernel a moment more.
        readable, _, _ = select.select([pidfd], [], [], DEATH_LIMIT_SEC)
        return bool(readable)
    finally:
        os.close(pidfd)


async def test_a_clean_project_passes_every_detected_gate(
    project: Project, env: dict[str, str]
) -> None:
    root = project()
    gates = detect_gates(root)
    outcomes = await run(gates, root, env)
    assert [(o.name, o.status, o.exit_code) for o in outcomes] == [
        ("format", "passed", 0),
        ("lint", "passed", 0),
        ("test", "passed", 0),
    ]
    assert "1 passed" in outcomes[2].output_tail
    assert all(o.duration_ms > 0 for o in outcomes)


async def test_a_formatting_slip_fails_the_format_gate_with_ruffs_output(
    project: Project, env: dict[str, str]
) -> None:
    root = project({"calc.py": "def add(a,b):\n    return a+b\n"})
    format_gate, lint_gate, _ = await run(detect_gates(root), root, env)
    assert (format_gate.status, format_gate.exit_code) == ("failed", 1)
    assert (
        "Would reformat: calc.py" in format_gate.output_tail or "calc.py" in format_gate.output_tail
    )
    assert "1 file would be reformatted" in format_gate.output_tail
    assert lint_gate.status == "passed"


async def test_a_failing_test_fails_the_test_gate_with_pytests_summary(
    project: Project, env: dict[str, str]
) -> None:
    root = project({"tests/test_calc.py": FAILING_TEST})
    *_, test_gate = await run(detect_gates(root), root, env)
    assert (test_gate.name, test_gate.status, test_gate.exit_code) == ("test", "failed", 1)
    assert "1 failed in" in test_gate.output_tail.splitlines()[-1]
    assert "assert 5 == 6" in test_gate.output_tail


async def test_progress_is_reported_per_gate_in_gate_order(
    project: Project, env: dict[str, str]
) -> None:
    root = project({"tests/test_calc.py": FAILING_TEST})
    lines: list[str] = []

    async def progress(line: str) -> None:
        lines.append(line)

    await run(detect_gates(root), root, env, on_progress=progress)
    assert [line.split(" (")[0] for line in lines] == [
        "gate format: passed",
        "gate lint: passed",
        "gate test: failed",
    ]
    assert lines[2].endswith(" s)")


async def test_a_detected_gate_whose_tool_is_missing_is_skipped(
    project: Project, tmp_path: Path
) -> None:
    root = project()
    outcomes = await run(detect_gates(root), root, tool_env(tmp_path, with_venv=False))
    assert {o.status for o in outcomes} == {"skipped"}
    assert outcomes[0].output_tail == "ruff not found on PATH; install it or configure [gates]"
    assert outcomes[2].output_tail.startswith("pytest not found on PATH")


async def test_a_configured_gate_whose_program_is_missing_is_an_error(
    project: Project, env: dict[str, str]
) -> None:
    root = project()
    configured = gates_for(
        [
            GateConfig(name="lint", command="no-such-linter-zz --strict"),
            GateConfig(name="custom", command="cd . && no-such-tool-zz"),
        ],
        root,
    )
    lint_gate, custom_gate = await run(configured, root, env)
    assert (lint_gate.status, lint_gate.exit_code) == ("error", None)
    assert lint_gate.output_tail == (
        "no-such-linter-zz not found on PATH; install it or change the command of [gates] lint"
    )
    # Found by the shell only when it runs: its exit code 127 says so.
    assert (custom_gate.status, custom_gate.exit_code) == ("error", 127)
    assert "no-such-tool-zz" in custom_gate.output_tail
    assert "a command was not found (exit 127)" in custom_gate.output_tail


async def test_a_gate_that_cannot_start_is_an_error(tmp_path: Path, env: dict[str, str]) -> None:
    [outcome] = await run([Gate("lint", "true")], tmp_path / "missing", env)
    assert outcome.status == "error"
    assert outcome.output_tail.startswith("cannot start `true` in")


async def test_a_gate_past_its_timeout_is_stopped_with_its_whole_process_group(
    tmp_path: Path, env: dict[str, str]
) -> None:
    slow = Gate("test", "sleep 60 & echo $! > child.pid; echo started; wait")
    [outcome] = await run([slow], tmp_path, env, timeout_sec=1.0)
    assert (outcome.status, outcome.exit_code) == ("timeout", None)
    assert outcome.output_tail == "started\nstopped after 1s"
    assert is_gone(int((tmp_path / "child.pid").read_text()))


async def test_a_gate_ignoring_sigterm_is_killed_after_the_grace_period(
    tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_process_group, "TERMINATE_GRACE_SEC", 0.2)
    stubborn = Gate("test", "trap '' TERM; sleep 60 & echo $! > child.pid; wait; wait")
    [outcome] = await run([stubborn], tmp_path, env, timeout_sec=1.0)
    assert outcome.status == "timeout"
    assert is_gone(int((tmp_path / "child.pid").read_text()))


async def test_a_cancelled_run_stops_the_gate_it_was_running(
    tmp_path: Path, env: dict[str, str]
) -> None:
    fifo = tmp_path / "ready"
    os.mkfifo(fifo)
    running = Gate("test", f"sleep 60 & echo $! > {fifo}; wait")
    with anyio.fail_after(RUN_LIMIT_SEC):
        async with anyio.create_task_group() as group:
            group.start_soon(lambda: run_gates([running], tmp_path, env=env))
            pid = int(await anyio.to_thread.run_sync(fifo.read_text, abandon_on_cancel=True))
            group.cancel_scope.cancel()
    assert is_gone(pid)


async def test_what_a_passing_gate_leaves_running_is_ended(
    tmp_path: Path, env: dict[str, str]
) -> None:
    # The background sleep keeps the output pipe open: without ending the group this would hang.
    leaving = Gate("build", "sleep 60 & echo $! > child.pid; echo built")
    [outcome] = await run([leaving], tmp_path, env)
    assert (outcome.status, outcome.output_tail) == ("passed", "built")
    assert is_gone(int((tmp_path / "child.pid").read_text()))


async def test_secrets_in_the_output_are_redacted(tmp_path: Path, env: dict[str, str]) -> None:
    token = "ghp_" + "a1B2c3D4e5" * 3 + "F6g7H8"
    assert len(token) == 40
    [outcome] = await run([Gate("test", f"echo 'using {token}'; exit 1")], tmp_path, env)
    assert outcome.status == "failed"
    assert token not in outcome.output_tail
    assert outcome.output_tail == "using [REDACTED by baton: github token]"


async def test_the_tail_keeps_the_last_lines_within_its_bounds(
    tmp_path: Path, env: dict[str, str]
) -> None:
    noisy = Gate(
        "test", "for i in $(seq 1 5000); do echo \"line $i of the log\"; done; echo 'x' >&2"
    )
    [outcome] = await run([noisy], tmp_path, env)
    lines = outcome.output_tail.splitlines()
    assert lines[-2:] == ["line 5000 of the log", "x"]  # stderr is merged into the tail
    assert len(lines) <= _process.TAIL_LINES and len(outcome.output_tail) <= _process.TAIL_CHARS
    [wide] = await run(
        [Gate("test", "head -c 100000 /dev/zero | tr '\\0' y; echo; echo end")], tmp_path, env
    )
    assert wide.output_tail == "…" + "y" * (_process.TAIL_CHARS - 5) + "\nend"


async def test_read_only_gates_run_side_by_side_and_report_in_order(
    tmp_path: Path, env: dict[str, str]
) -> None:
    # The first gate can only finish once the second has run: side by side, or it times out.
    os.mkfifo(tmp_path / "go")
    waits = Gate("lint", "read word < go && echo got $word")
    sends = Gate("test", "echo go > go")
    lines: list[str] = []

    async def progress(line: str) -> None:
        lines.append(line)

    outcomes = await run([waits, sends], tmp_path, env, timeout_sec=20.0, on_progress=progress)
    assert [(o.name, o.status) for o in outcomes] == [("lint", "passed"), ("test", "passed")]
    assert outcomes[0].output_tail == "got go"
    assert [line.split(":")[0] for line in lines] == ["gate lint", "gate test"]


async def test_a_gate_that_writes_runs_alone(tmp_path: Path, env: dict[str, str]) -> None:
    # The writer waits for the gate after it, which cannot help while the writer runs alone.
    # (Opened read-write, the FIFO never blocks the second gate.)
    os.mkfifo(tmp_path / "go")
    writer = Gate("format", "read word < go", read_only=False)
    reader = Gate("lint", "exec 3<>go; echo go >&3")
    outcomes = await run([writer, reader], tmp_path, env, timeout_sec=1.0)
    assert [(o.name, o.status) for o in outcomes] == [("format", "timeout"), ("lint", "passed")]


async def test_a_node_project_runs_its_npm_scripts(tmp_path: Path, env: dict[str, str]) -> None:
    scripts = {"lint": 'node -e ""', "test": 'node -e "process.exit(1)"'}
    (tmp_path / "package.json").write_text(json.dumps({"name": "p", "scripts": scripts}))
    gates = detect_gates(tmp_path)
    assert [g.command for g in gates] == ["npm run lint --silent", "npm run test --silent"]
    lint_gate, test_gate = await run(gates, tmp_path, env)
    assert (lint_gate.status, test_gate.status, test_gate.exit_code) == ("passed", "failed", 1)


async def test_the_workspaces_node_modules_bin_comes_first_on_path(
    tmp_path: Path, env: dict[str, str]
) -> None:
    tool = tmp_path / "node_modules" / ".bin" / "checker"
    tool.parent.mkdir(parents=True)
    tool.write_text("#!/bin/sh\necho checked by the workspace tool\n")
    tool.chmod(0o755)
    [outcome] = await run([Gate("lint", "checker", requires="checker")], tmp_path, env)
    assert (outcome.status, outcome.output_tail) == (
        "passed",
        "checked by the workspace tool",
    )
