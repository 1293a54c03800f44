"""Running gates and acceptance checks in a workspace: together where safe, reported in order."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import anyio

from baton.audit import CheckOutcome, GateOutcome
from baton.delegation.gates._base import Gate
from baton.delegation.gates._process import (
    Finished,
    Jail,
    command_env,
    find_program,
    run_command,
)
from baton.task import Criterion

__all__ = ["MAX_CONCURRENT", "Progress", "run_checks", "run_gates", "tool_found"]

# Read-only gates at once: test suites and type checkers are CPU-bound, so a few, never many.
MAX_CONCURRENT = max(2, min(4, os.cpu_count() or 1))
# The shell's exit code for a command it could not find.
COMMAND_NOT_FOUND = 127

Progress = Callable[[str], Awaitable[None]]
_Item = TypeVar("_Item")
_Outcome = TypeVar("_Outcome")


async def run_gates(
    gates: Sequence[Gate],
    workspace: Path,
    *,
    env: Mapping[str, str] | None = None,
    timeout_sec: float = 600.0,
    on_progress: Progress | None = None,
    jail: Jail | None = None,
) -> list[GateOutcome]:
    """Run every gate in `workspace`; outcomes and progress come in the gates' order.

    Read-only gates run side by side; a gate that may write (a formatter) runs alone, after the
    gates before it and before the gates after it.
    """
    environment = command_env(workspace, env)

    async def run(gate: Gate) -> GateOutcome:
        return await _run_gate(gate, workspace, environment, timeout_sec, jail)

    batches = _batches(gates)
    return await _in_order(gates, run, batches, _gate_line, on_progress)


async def run_checks(
    criteria: Sequence[Criterion],
    workspace: Path,
    *,
    env: Mapping[str, str] | None = None,
    timeout_sec: float = 300.0,
    on_progress: Progress | None = None,
    jail: Jail | None = None,
) -> list[CheckOutcome]:
    """Run the `check` of every criterion that has one, side by side; outcomes in their order."""
    checked = [criterion for criterion in criteria if criterion.check]
    environment = command_env(workspace, env)

    async def run(criterion: Criterion) -> CheckOutcome:
        return await _run_check(criterion, workspace, environment, timeout_sec, jail)

    return await _in_order(checked, run, [list(range(len(checked)))], _check_line, on_progress)


def tool_found(gate: Gate, workspace: Path, env: Mapping[str, str] | None = None) -> bool | None:
    """Whether the gate's required executable is on its PATH in `workspace`; None if it has none."""
    if gate.requires is None:
        return None
    return find_program(gate.requires, command_env(workspace, env)) is not None


async def _run_gate(
    gate: Gate, workspace: Path, env: Mapping[str, str], timeout_sec: float, jail: Jail | None
) -> GateOutcome:
    if gate.requires and find_program(gate.requires, env) is None:
        return _tool_missing(gate, f"{gate.requires} not found on PATH")
    try:
        done = await run_command(gate.command, workspace, env, timeout_sec, jail)
    except OSError as exc:
        why = f"cannot start `{gate.command}` in {workspace}: {exc.strerror or exc}"
        return GateOutcome(gate.name, gate.command, "error", 0, why)
    return _gate_outcome(gate, done, timeout_sec)


def _gate_outcome(gate: Gate, done: Finished, timeout_sec: float) -> GateOutcome:
    name, command, ms, tail = gate.name, gate.command, done.duration_ms, done.output_tail
    if done.timed_out:
        tail = f"{tail}\nstopped after {timeout_sec:g}s".lstrip("\n")
        return GateOutcome(name, command, "timeout", ms, tail)
    if done.exit_code == 0:
        return GateOutcome(name, command, "passed", ms, tail, 0)
    if done.exit_code == COMMAND_NOT_FOUND:
        # The shell's word that a program is missing: the same as a missing `requires`.
        message = f"{tail}\na command was not found (exit 127)".lstrip("\n")
        return _tool_missing(gate, message, ms, done.exit_code)
    return GateOutcome(name, command, "failed", ms, tail, done.exit_code)


def _tool_missing(
    gate: Gate, message: str, duration_ms: int = 0, exit_code: int | None = None
) -> GateOutcome:
    """A detected gate whose tool is absent is skipped; a configured one is an error to fix."""
    name, command = gate.name, gate.command
    if gate.detected:
        tail = f"{message}; install it or configure [gates]"
        return GateOutcome(name, command, "skipped", duration_ms, tail, exit_code)
    tail = f"{message}; install it or change the command of [gates] {name}"
    return GateOutcome(name, command, "error", duration_ms, tail, exit_code)


async def _run_check(
    criterion: Criterion,
    workspace: Path,
    env: Mapping[str, str],
    timeout_sec: float,
    jail: Jail | None,
) -> CheckOutcome:
    command = criterion.check or ""
    try:
        done = await run_command(command, workspace, env, timeout_sec, jail)
    except OSError as exc:
        why = f"cannot start `{command}` in {workspace}: {exc.strerror or exc}"
        return CheckOutcome(criterion.text, command, None, why)
    return CheckOutcome(criterion.text, command, done.exit_code, done.output_tail, done.timed_out)


def _batches(gates: Sequence[Gate]) -> list[list[int]]:
    """Indexes of gates that may run together: runs of read-only gates; a writer on its own."""
    batches: list[list[int]] = []
    for index, gate in enumerate(gates):
        if gate.read_only and batches and gates[batches[-1][-1]].read_only:
            batches[-1].append(index)
        else:
            batches.append([index])
    return batches


async def _in_order(
    items: Sequence[_Item],
    run: Callable[[_Item], Awaitable[_Outcome]],
    batches: list[list[int]],
    describe: Callable[[_Outcome], str],
    on_progress: Progress | None,
) -> list[_Outcome]:
    """Run the batches one after another, each one's items side by side (bounded); report each
    outcome as soon as every item before it has reported too."""
    outcomes: dict[int, _Outcome] = {}
    finished = [anyio.Event() for _ in items]
    limiter = anyio.CapacityLimiter(MAX_CONCURRENT)

    async def run_one(index: int) -> None:
        async with limiter:
            outcomes[index] = await run(items[index])
        finished[index].set()

    async def run_batches() -> None:
        for batch in batches:
            async with anyio.create_task_group() as group:
                for index in batch:
                    group.start_soon(run_one, index)

    async with anyio.create_task_group() as group:
        group.start_soon(run_batches)
        for index in range(len(items)):
            await finished[index].wait()
            if on_progress is not None:
                await on_progress(describe(outcomes[index]))
    return [outcomes[index] for index in range(len(items))]


def _gate_line(outcome: GateOutcome) -> str:
    if outcome.status in ("skipped", "error") and outcome.duration_ms == 0:
        reason = outcome.output_tail.split("\n", 1)[0]
        return f"gate {outcome.name}: {outcome.status} ({reason})"
    return f"gate {outcome.name}: {outcome.status} ({outcome.duration_ms / 1000:.1f} s)"


def _check_line(outcome: CheckOutcome) -> str:
    status = "passed" if outcome.passed else "timeout" if outcome.timed_out else "failed"
    return f"check {outcome.command!r}: {status}"
