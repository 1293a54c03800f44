"""One run's attempts: the worker in its jailed workspace, then stage 1, stage 2 and the verdict.

An attempt is: call the worker (a new thread, or the run's thread on a retry), checkpoint the
workspace, audit the changes (scope, denied and protected paths, symlinks, acceptance checks,
secrets), run the gates when stage 1 is clean, decide. Checks and gates run the project's own
commands in the workspace; whatever they write is undone afterwards (`Workspace.restore`), so
a retry finds the workspace exactly as the worker left it and the diff holds only its work.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

from baton.audit import (
    CheckOutcome,
    Finding,
    GateOutcome,
    audit_changes,
    audit_checks,
    audit_gates,
    decide_verdict,
    retry_prompt,
    scan_added_lines,
    unchecked_criteria,
)
from baton.config.schema import PolicyConfig, WorkerConfig
from baton.delegation._diffstat import diff_stat
from baton.delegation._jailing import build_worker
from baton.delegation._leftovers import RunMarker
from baton.delegation._snapshot import git
from baton.delegation.apply import fingerprint_base
from baton.delegation.gates import Progress, gates_for, run_checks, run_gates
from baton.delegation.jail import gate_jail
from baton.delegation.result import ARTIFACTS, AttemptReport, DelegationResult, RunVerdict
from baton.delegation.workers import Sandbox, Worker, WorkerCall, WorkerEvent, WorkerResult
from baton.delegation.workspace import Workspace, create_workspace
from baton.errors import ThreadLost, WorkerError
from baton.policy import Context, ToolCallAction, decide
from baton.policy.instructions import render_instructions
from baton.policy.redact import redact
from baton.task import Task

if TYPE_CHECKING:
    from baton.delegation.pipeline import Pipeline

__all__ = ["Attempts", "RunContext", "check_worker_call"]

T = TypeVar("T")
# Baton's own state in the project (the ledger): never part of a worker's workspace.
BATON_DIR = ".baton/"
# The verdict of a run is its last attempt's outcome ("retry" never ends a run).
_RUN_VERDICT: dict[str, RunVerdict] = {
    "passed": "passed",
    "needs_fix": "needs_fix",
    "fallback": "fallback",
    "blocked": "blocked",
    "retry": "fallback",
}


@dataclass(frozen=True)
class RunContext:
    """What one run starts from: the task, the route, the worker, and for a reply its thread."""

    task: Task
    decision: dict[str, Any]
    worker: str
    worker_config: WorkerConfig
    sandbox: Sandbox | None
    prompt: str | None = None  # a reply's message; None sends the task itself
    thread_id: str | None = None  # the thread a reply continues
    summary: str | None = None  # told to a fresh thread when the worker lost the old one
    pending_diff: str | None = None  # an unapplied earlier diff, put in the workspace first


@dataclass
class _Outcome:
    report: AttemptReport
    diff: str
    touched: list[str]


def check_worker_call(policy: PolicyConfig, worker: str, call: WorkerCall) -> None:
    """The policy judges a worker call as the gateway judges a tool call (invariant 3)."""
    arguments = {"sandbox": call.sandbox, "approval-policy": "never", "cwd": str(call.workspace)}
    action = ToolCallAction(worker, arguments, "worker", str(call.workspace))
    decision = decide(action, Context(policy, root=str(call.workspace)))
    if decision.denied:
        reason = f"the policy refused the call ({decision.rule}): {decision.reason}"
        raise WorkerError(worker, reason, hint="the worker call must keep a write-limited sandbox")


class Attempts:
    """Runs the attempts of one run and records each in the ledger."""

    def __init__(
        self, pipeline: Pipeline, run_id: str, context: RunContext, on_progress: Progress | None
    ) -> None:
        self.pipeline, self.run_id, self.context = pipeline, run_id, context
        self.config, self.ledger = pipeline.config, pipeline.ledger
        self.count = 0
        self._on_progress = on_progress
        self._log: list[str] = []
        self._started = time.monotonic()

    async def progress(self, message: str) -> None:
        """Tell the lead (and the run's log) how the run is going."""
        self._log.append(message)
        if self._on_progress is not None:
            await self._on_progress(message)

    async def run(self) -> DelegationResult:
        """Every attempt of the run, in a workspace removed afterwards unless kept."""
        policy = self.config.policy
        workspace = await anyio.to_thread.run_sync(
            lambda: create_workspace(
                self.pipeline.repo,
                denied=[*policy.denied_paths, BATON_DIR],
            )
        )
        marker = RunMarker(self.pipeline.repo, self.run_id)
        try:
            if not self.pipeline.keep:  # a kept workspace is the user's; it is never swept
                marker.add([workspace.path, workspace.git_dir])
            await self.progress(f"workspace ready: {workspace.path}")
            if self.context.pending_diff:
                await anyio.to_thread.run_sync(_apply_into, workspace, self.context.pending_diff)
            jailed = build_worker(
                self.context.worker, self.context.worker_config, policy, workspace.path,
                self.pipeline.env, self.pipeline.adapters,
            )  # fmt: skip
            if jailed.home is not None:
                marker.add([jailed.home])
            if not jailed.jailed:
                await self.progress("warning: the worker runs unjailed (no bubblewrap)")
            try:
                async with jailed.worker as worker:
                    return await self._attempts(workspace, worker)
            finally:
                jailed.close()
        finally:
            with anyio.CancelScope(shield=True):
                if not self.pipeline.keep:
                    await anyio.to_thread.run_sync(workspace.remove)
                marker.remove()

    async def _attempts(self, workspace: Workspace, worker: Worker) -> DelegationResult:
        task, policy, review = self.context.task, self.config.policy, self.config.review
        prompt = self.context.prompt or task.to_markdown()
        instructions = render_instructions(policy, task)
        thread = self.context.thread_id
        reports: list[AttemptReport] = []
        outcome: _Outcome | None = None
        for number in range(1, review.max_attempts + 1):
            self.count = number
            call = WorkerCall(prompt, instructions, workspace.path, self._sandbox(), thread)
            attempt_id = await self._ledger(self.ledger.start_attempt, self.run_id, number, thread)
            began = time.monotonic()
            try:
                result = await self._call(worker, call)
            except WorkerError as error:
                await self._ledger(self.ledger.finish_attempt, attempt_id, "failed", _ms(began))
                return await self._failed(reports, thread, str(error))
            if result.thread_id and result.thread_id != thread:
                thread = result.thread_id
                await self._ledger(self.ledger.set_thread, self.run_id, thread)
            outcome = await self._review(workspace, number, result, began)
            await self._record(attempt_id, outcome)
            reports.append(outcome.report)
            if outcome.report.outcome != "retry":
                break
            found = list(outcome.report.findings) or audit_gates(outcome.report.gates)
            prompt = retry_prompt(task, found, number)
            # The prompt names each finding in full; the instructions only restate their gist.
            gists = [f.message.partition("\n")[0] for f in found]
            instructions = render_instructions(policy, task, findings=gists)
            await self.progress(f"attempt {number}: retrying with {len(found)} findings named")
        assert outcome is not None  # max_attempts >= 1
        return await self._finish(workspace, reports, thread, outcome)

    def _sandbox(self) -> Sandbox:
        return self.context.sandbox or "workspace-write"

    async def _call(self, worker: Worker, call: WorkerCall) -> WorkerResult:
        """One worker call; a thread the worker lost is restarted with a summary of it."""
        check_worker_call(self.config.policy, self.context.worker, call)
        await self.progress(f"worker {self.context.worker}: attempt {self.count} started")

        async def on_event(event: WorkerEvent) -> None:
            await self.progress(f"worker: {event.kind}: {event.text}")

        try:
            return await worker.run(call, on_event)
        except ThreadLost:
            if call.thread_id is None:
                raise
            await self.progress("the worker lost the thread: starting a new one with a summary")
            summary = self.context.summary or ""
            prompt = (
                f"{self.context.task.to_markdown()}\n[Earlier work]\n{summary}\n\n[Now]\n"
                f"{call.prompt}"
            )
            fresh = WorkerCall(prompt, call.instructions, call.workspace, call.sandbox, None)
            return await worker.run(fresh, on_event)

    async def _review(
        self, workspace: Workspace, number: int, result: WorkerResult, began: float
    ) -> _Outcome:
        """Stage 1 (spec and security) and, when it is clean, stage 2 (gates); then decide."""
        task, policy, review = self.context.task, self.config.policy, self.config.review
        checkpoint = await anyio.to_thread.run_sync(workspace.checkpoint)
        changes = await anyio.to_thread.run_sync(workspace.changes)
        diff = await anyio.to_thread.run_sync(workspace.diff)
        found = audit_changes(
            changes, scope=task.scope, denied=policy.denied_paths,
            protected=policy.protected_paths,
        )  # fmt: skip
        security = [f for f in found if f.stage == "security"]
        security += scan_added_lines(
            diff, extra_patterns=policy.redact_patterns, high_entropy=False
        )
        env = self._gate_env()
        # Checks and gates run the worker's code: jailed like the worker, and offline.
        jail = gate_jail(workspace.path, env)
        checks: list[CheckOutcome] = []
        gates: list[GateOutcome] = []
        try:
            if not security:
                checks = await run_checks(
                    task.acceptance, workspace.path, env=env, on_progress=self.progress, jail=jail
                )
            spec = [f for f in found if f.stage != "security"] + audit_checks(checks)
            await self.progress(f"stage 1: {len(spec)} spec, {len(security)} security findings")
            if not spec and not security and changes:
                chosen = gates_for(self.config.gates, workspace.path)
                gates = await run_gates(
                    chosen, workspace.path, env=env, on_progress=self.progress, jail=jail
                )
        finally:
            await anyio.to_thread.run_sync(workspace.restore, checkpoint)
        verdict = decide_verdict(
            attempt=number, max_attempts=review.max_attempts, spec=spec, security=security,
            gates=gates, retry_on_quality=review.retry_on_quality,
        )  # fmt: skip
        await self.progress(f"attempt {number}: {verdict.outcome} ({'; '.join(verdict.reasons)})")
        report = AttemptReport(
            number, result.thread_id, verdict.outcome, verdict.reasons,
            tuple(_sorted(spec + security)), tuple(checks), tuple(gates),
            redact(result.final_message).text, _ms(began),  # it reaches the lead and the ledger
        )  # fmt: skip
        touched = sorted({p for c in changes for p in (c.path, c.old_path) if p})
        return _Outcome(report, diff, touched)

    def _gate_env(self) -> dict[str, str]:
        """Baton's environment, with the lead's virtualenv and node tools first on PATH.

        The workspace holds no ignored files, so a project's `.venv` and `node_modules` are
        only in the lead's tree; gates run the tools from there.
        """
        env = dict(self.pipeline.env)
        repo = self.pipeline.repo
        tools = [repo / ".venv" / "bin", repo / "node_modules" / ".bin"]
        found = [str(path) for path in tools if path.is_dir()]
        env["PATH"] = os.pathsep.join([*found, env.get("PATH", os.defpath)])
        return env

    async def _record(self, attempt_id: int, outcome: _Outcome) -> None:
        report = outcome.report
        for finding in report.findings:
            await self._ledger(
                self.ledger.record_finding,
                attempt_id, finding.stage, finding.rule, finding.path, finding.message,
            )  # fmt: skip
        for gate in report.gates:
            await self._ledger(
                self.ledger.record_gate,
                attempt_id, gate.name, gate.status, gate.duration_ms, gate.output_tail,
            )  # fmt: skip
        await self._ledger(
            self.ledger.finish_attempt, attempt_id, report.outcome, report.duration_ms
        )

    async def _failed(
        self, reports: list[AttemptReport], thread: str | None, error: str
    ) -> DelegationResult:
        await self.progress(f"the worker failed: {error}")
        result = DelegationResult(
            self.run_id, "failed", self.context.decision, self.context.worker, thread,
            tuple(reports), error=redact(error).text, artifacts=("worker.log", "result.json"),
        )  # fmt: skip
        await self._store({"worker.log": self._worker_log(), "result.json": _json(result)})
        await self._ledger(
            self.ledger.finish_run, self.run_id, "failed", self.count, _ms(self._started), None
        )
        return result

    async def _finish(
        self,
        workspace: Workspace,
        reports: list[AttemptReport],
        thread: str | None,
        outcome: _Outcome,
    ) -> DelegationResult:
        verdict = _RUN_VERDICT[outcome.report.outcome]
        stat = diff_stat(outcome.diff).to_dict() if outcome.diff else None
        fingerprints = await anyio.to_thread.run_sync(fingerprint_base, workspace, outcome.touched)
        # A blocked diff may hold a secret: only its redacted text is kept.
        diff = redact(outcome.diff).text if verdict == "blocked" else outcome.diff
        unchecked = unchecked_criteria(self.context.task, outcome.report.worker_message)
        names = tuple(n for n in ARTIFACTS if n != "diff" or diff)
        result = DelegationResult(
            self.run_id, verdict, self.context.decision, self.context.worker, thread,
            tuple(reports), stat, tuple(unchecked), artifacts=names,
        )  # fmt: skip
        artifacts = {
            "worker.log": self._worker_log(),
            "gates.log": _gates_log(reports),
            "result.json": _json(result),
            "base.json": json.dumps([f.__dict__ for f in fingerprints]),
        }
        await self._store(artifacts | ({"diff": diff} if diff else {}))
        await self._ledger(
            self.ledger.finish_run, self.run_id, verdict, self.count, _ms(self._started), stat
        )
        return result

    def _worker_log(self) -> str:
        return redact("\n".join(self._log) + "\n").text

    async def _store(self, artifacts: dict[str, str]) -> None:
        for name, content in artifacts.items():
            await self._ledger(self.ledger.put_artifact, self.run_id, name, content)

    async def _ledger(self, function: Callable[..., T], *args: Any) -> T:
        return await self.pipeline.ledger_call(function, *args)


def _apply_into(workspace: Workspace, diff: str) -> None:
    """Put an earlier run's diff into a fresh workspace (the worker continues from it)."""
    patch = diff.encode("utf-8", "surrogateescape")
    git(workspace.path, "apply", "--whitespace=nowarn", "-", stdin=patch)


def _gates_log(reports: Sequence[AttemptReport]) -> str:
    lines: list[str] = []
    for report in reports:
        for check in report.checks:
            lines += [f"== attempt {report.number} check `{check.command}`: "
                      f"{'passed' if check.passed else 'failed'}", check.output_tail]  # fmt: skip
        for gate in report.gates:
            lines += [f"== attempt {report.number} gate {gate.name}: {gate.status} "
                      f"({gate.duration_ms} ms)", gate.output_tail]  # fmt: skip
    return "\n".join(lines) + "\n"  # the tails arrive redacted by the gates' runner


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.path or "", f.rule))


def _json(result: DelegationResult) -> str:
    return json.dumps(result.to_dict(), indent=2)


def _ms(since: float) -> int:
    return int((time.monotonic() - since) * 1000)
