"""The delegation pipeline: route → workspace → worker → audit → gates → verdict, one retry loop.

`Pipeline.delegate` runs a task end to end and records every step in the ledger; `reply`
continues a run's worker thread (restarting it with a summary when the worker lost it); `apply`
puts a passed run's diff into the lead's tree, atomically, refusing if the tree moved. The lead
keeps the authority: nothing is applied unless asked (or `[review] auto_apply = true`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import anyio

from baton.config.schema import BatonConfig, WorkerConfig
from baton.delegation._attempts import Attempts, RunContext
from baton.delegation._leftovers import sweep
from baton.delegation.apply import AppliedDiff, ApplyError, Fingerprint, apply_diff
from baton.delegation.gates import Progress
from baton.delegation.result import DelegationResult, RunVerdict
from baton.delegation.workers import Sandbox, WorkerFactory
from baton.errors import UsageError
from baton.ledger import Ledger, LedgerError
from baton.routing import Decision, route
from baton.task import Task, task_from_json

__all__ = ["DEFAULT_WORKER", "Pipeline", "Progress"]

T = TypeVar("T")
# The worker a task goes to when baton.toml names none: current Codex on the PATH.
DEFAULT_WORKER = "codex"


class Pipeline:
    """Runs delegations for one repository, recording them in one ledger."""

    def __init__(
        self,
        config: BatonConfig,
        repo: Path,
        ledger: Ledger,
        *,
        env: Mapping[str, str] | None = None,
        keep: bool = False,
        adapters: Mapping[str, WorkerFactory] | None = None,
    ) -> None:
        self.config = config
        self.repo = repo.resolve()
        self.ledger = ledger
        self.env = dict(os.environ if env is None else env)
        self.keep = keep
        self.adapters = dict(adapters or {})  # worker adapters from above, e.g. `mcp-tool`

    async def ledger_call(self, function: Callable[..., T], *args: Any) -> T:
        """A ledger call, off the event loop (the ledger's calls block on fsync)."""
        return await anyio.to_thread.run_sync(partial(function, *args))

    def worker_for(self, task: Task, override: str | None = None) -> tuple[str, WorkerConfig]:
        """The worker a task goes to: `--worker`, the task's own, the first configured, or Codex."""
        workers = self.config.workers
        name = override or task.worker or next(iter(workers), DEFAULT_WORKER)
        if name in workers:
            return name, workers[name]
        if not workers and name == DEFAULT_WORKER:
            return name, WorkerConfig()
        known = ", ".join(workers) or f"none configured (the default is '{DEFAULT_WORKER}')"
        raise UsageError(
            f"unknown worker '{name}'; workers: {known}",
            hint="add it as [workers.NAME] in baton.toml, or pick one of those",
        )

    def route(self, task: Task) -> Decision:
        """Who does `task`, by the routing rules and the policy."""
        return route(task, self.config.routing, self.config.policy)

    async def delegate(
        self, task: Task, *, worker: str | None = None, on_progress: Progress | None = None
    ) -> DelegationResult:
        """Run `task` through the whole pipeline; the verdict says what came of it."""
        decision = self.route(task)
        if decision.route != "worker":
            return await self._not_delegated(task, decision)
        name, worker_config = self.worker_for(task, worker)
        context = RunContext(task, decision.to_dict(), name, worker_config, decision.sandbox)
        return await self._run(context, on_progress)

    async def reply(
        self, run_id: str, message: str, *, on_progress: Progress | None = None
    ) -> DelegationResult:
        """Continue a run's worker thread with `message`, as a new run with the same task."""
        run_id = await self.ledger_call(self.ledger.find_run, run_id)
        record = await self.ledger_call(self.ledger.get_run, run_id)
        if record.worker is None or record.route != "worker":
            raise UsageError(
                f"run {run_id} was not delegated to a worker ({record.verdict}): "
                "there is no thread to reply to",
                hint="delegate the task first; `baton runs` lists the runs",
            )
        task = task_from_json(record.task, source=f"run {run_id}")
        name, worker_config = self.worker_for(task, record.worker)
        names = await self.ledger_call(self.ledger.artifact_names, run_id)
        pending = None
        if "diff" in names and record.applied_at is None and record.verdict != "blocked":
            pending = await self.ledger_call(self.ledger.get_artifact, run_id, "diff")
        decision = record.decision | {"reply_to": run_id}
        read_only = record.decision.get("sandbox") == "read-only"
        sandbox: Sandbox = "read-only" if read_only else "workspace-write"
        context = RunContext(
            task,
            decision,
            name,
            worker_config,
            sandbox,
            prompt=message,
            thread_id=record.thread_id,
            summary=_summary(record.to_dict(), run_id),
            pending_diff=pending,
        )
        return await self._run(context, on_progress)

    async def apply(self, run_id: str, *, force: bool = False) -> AppliedDiff:
        """Apply a passed run's diff to the lead's tree; `force` also takes a `needs_fix` one."""
        run_id = await self.ledger_call(self.ledger.find_run, run_id)
        record = await self.ledger_call(self.ledger.get_run, run_id)
        allowed = ("passed", "needs_fix") if force else ("passed",)
        if record.verdict not in allowed:
            raise UsageError(
                f"run {run_id} ended '{record.verdict}': only a passed run is applied"
                + ("" if force or record.verdict != "needs_fix" else " (or needs_fix with force)"),
                hint="`baton runs show RUN` says why it did not pass",
            )
        if record.applied_at is not None:
            raise UsageError(f"run {run_id} was already applied at {record.applied_at}")
        diff = await self.ledger_call(self.ledger.get_artifact, run_id, "diff")
        base = json.loads(await self.ledger_call(self.ledger.get_artifact, run_id, "base.json"))
        fingerprints = [Fingerprint(**item) for item in base]
        applied = await anyio.to_thread.run_sync(apply_diff, self.repo, diff, fingerprints)
        await self.ledger_call(self.ledger.mark_applied, run_id, list(applied.files))
        return applied

    async def _not_delegated(self, task: Task, decision: Decision) -> DelegationResult:
        """Record a task routing kept from the worker, and say what the lead should do."""
        data = decision.to_dict()
        run_id = await self.ledger_call(self.ledger.start_run, _task_data(task), data, None, None)
        verdict: RunVerdict = "lead" if decision.route == "lead" else "split"
        await self.ledger_call(self.ledger.finish_run, run_id, verdict, 0, 0, None)
        return DelegationResult(run_id, verdict, data)

    async def sweep(self) -> list[str]:
        """Clear what runs of a killed Baton left behind and record them as `interrupted`."""
        swept = await anyio.to_thread.run_sync(sweep, self.repo)
        for run_id in swept:
            try:
                record = await self.ledger_call(self.ledger.get_run, run_id)
            except LedgerError:
                continue  # a marker from another ledger ([ledger] path changed): nothing to mark
            if record.verdict is not None:
                continue
            for attempt in record.attempt_records:
                if attempt.verdict is None:
                    await self.ledger_call(self.ledger.finish_attempt, attempt.id, "interrupted", 0)
            count = len(record.attempt_records)
            await self.ledger_call(self.ledger.finish_run, run_id, "interrupted", count, 0, None)
        return swept

    async def _run(self, context: RunContext, on_progress: Progress | None) -> DelegationResult:
        await self.sweep()
        started = time.monotonic()
        run_id = await self.ledger_call(
            self.ledger.start_run,
            _task_data(context.task),
            context.decision,
            context.worker,
            context.worker_config.model,
        )
        attempts = Attempts(self, run_id, context, on_progress)
        try:
            result = await attempts.run()
        except BaseException as error:
            with anyio.CancelScope(shield=True):
                verdict = (
                    "cancelled" if isinstance(error, anyio.get_cancelled_exc_class()) else "failed"
                )
                ms = int((time.monotonic() - started) * 1000)
                await self.ledger_call(
                    self.ledger.finish_run, run_id, verdict, attempts.count, ms, None
                )
            raise
        if result.verdict == "passed" and self.config.review.auto_apply:
            result = await self._auto_apply(result)
        return result

    async def _auto_apply(self, result: DelegationResult) -> DelegationResult:
        try:
            applied = await self.apply(result.run_id)
        except (ApplyError, UsageError, LedgerError) as error:  # reported; the run stays passed
            return replace(result, apply_error=str(error))
        return replace(result, applied=applied.files)


def _task_data(task: Task) -> dict[str, Any]:
    return task.model_dump(mode="json", exclude_none=True)


def _summary(record: Mapping[str, Any], run_id: str) -> str:
    """What a fresh thread is told of an earlier run whose thread the worker lost."""
    lines = [f"This continues run {run_id}, which ended '{record.get('verdict')}'."]
    for attempt in record.get("attempt_records", []):
        lines.append(f"- attempt {attempt['number']}: {attempt.get('verdict')}")
        for finding in attempt.get("findings", [])[:10]:
            lines.append(f"  - {finding['rule']} {finding.get('path') or ''}: {finding['message']}")
    stat = record.get("diff_stat") or {}
    if stat:
        lines.append(
            f"Its diff changed {stat.get('files_changed', 0)} files "
            f"(+{stat.get('added', 0)} -{stat.get('removed', 0)}); it is already in your workspace."
        )
    return "\n".join(lines)
