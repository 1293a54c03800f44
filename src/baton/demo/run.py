"""The demo's delegations through the real pipeline, one after another, as a lead would run them.

Each task is delegated to the Codex worker of the sample's `baton.toml`; a passed run is applied
with `Pipeline.apply` and committed, so the next task starts from it. The model is either the
scripted server (`ScriptedModel`: a fresh one per task, following that task's script) or OpenAI's
(`LiveModel`, with the user's key). The report at the end is built from the ledger alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import anyio

from baton.config import BatonConfig, load_config, project_root
from baton.delegation.pipeline import Pipeline
from baton.delegation.result import DelegationResult
from baton.demo.sample import commit
from baton.demo.scripted_model import SCRIPTED_ENV_VARS, ResponsesServer, write_codex_home
from baton.demo.scripts import SCRIPTS
from baton.demo.tasks import DemoTask
from baton.ledger import SqliteLedger, open_ledger
from baton.report import Report, build_report
from baton.report.metrics import REVIEWED

__all__ = [
    "Delegated",
    "DemoRun",
    "LiveModel",
    "Model",
    "OnStage",
    "ScriptedModel",
    "run_delegations",
    "run_sample_tests",
]

OnStage = Callable[[int, str], Awaitable[None]]
# The sample project's own test suite: a handful of tests that take well under a second.
SAMPLE_TESTS_TIMEOUT_SEC = 120
# Locale variables the worker keeps, beside its model's.
LOCALE_VARS = ("LANG", "LC_ALL")


class Model(Protocol):
    """Where the worker's model is: the variables its jail keeps, and its environment per task."""

    @property
    def name(self) -> str:
        """`scripted` or `live`."""
        ...

    @property
    def env_vars(self) -> tuple[str, ...]:
        """The variables the worker keeps in its jail (`[workers.codex] env_vars`)."""
        ...

    def serve(self, demo: DemoTask) -> AbstractContextManager[dict[str, str]]:
        """While the block lasts, the model answers this task; yields the worker's variables."""
        ...


@dataclass(frozen=True)
class ScriptedModel:
    """A local scripted Responses API server per task, and a Codex home pointing at it."""

    home: Path
    name: str = "scripted"
    env_vars: tuple[str, ...] = (*SCRIPTED_ENV_VARS, *LOCALE_VARS)

    @contextmanager
    def serve(self, demo: DemoTask) -> Iterator[dict[str, str]]:
        """The task's script (`baton.demo.scripts`), served while the block lasts."""
        with ResponsesServer(SCRIPTS[demo.key]) as server:
            yield write_codex_home(self.home, server.base_url)


@dataclass(frozen=True)
class LiveModel:
    """OpenAI's models through Codex's default provider, with the user's `OPENAI_API_KEY`."""

    home: Path
    name: str = "live"
    env_vars: tuple[str, ...] = (
        "CODEX_HOME", "TMPDIR", "OPENAI_API_KEY", "OPENAI_BASE_URL", *LOCALE_VARS,
    )  # fmt: skip

    @contextmanager
    def serve(self, demo: DemoTask) -> Iterator[dict[str, str]]:
        """A throwaway Codex home on the default provider; the key comes from the environment."""
        (self.home / "tmp").mkdir(parents=True, exist_ok=True)
        (self.home / "config.toml").write_text(
            "check_for_update_on_startup = false\n\n[analytics]\nenabled = false\n"
        )
        yield {"CODEX_HOME": str(self.home), "TMPDIR": str(self.home / "tmp")}


@dataclass(frozen=True)
class Delegated:
    """One delegation of the demo: the task, how it ended, and what reached the sample repo."""

    demo: DemoTask
    result: DelegationResult
    applied: tuple[str, ...]
    seconds: float

    def findings(self) -> list[str]:
        """What review found, attempt by attempt: `rule path`, each once."""
        found = [
            f"{finding.rule} {finding.path}" if finding.path else finding.rule
            for attempt in self.result.attempts
            for finding in attempt.findings
        ]
        return list(dict.fromkeys(found))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for `baton demo --json`."""
        result = self.result
        return {
            "size": self.demo.size,
            "title": self.demo.title,
            "run_id": result.run_id,
            "verdict": result.verdict,
            "attempts": len(result.attempts),
            "outcomes": [attempt.outcome for attempt in result.attempts],
            "findings": self.findings(),
            "applied": list(self.applied),
            "error": result.error,
            "seconds": round(self.seconds, 2),
        }


@dataclass(frozen=True)
class DemoRun:
    """The whole demo: every delegation, the report from the ledger, the sample's own tests."""

    delegations: tuple[Delegated, ...]
    report: Report
    tests_passed: bool
    tests_summary: str
    ledger: Path

    @property
    def completed(self) -> bool:
        """Every delegation reached a verdict by review, and the sample's tests pass."""
        return self.tests_passed and all(d.result.verdict in REVIEWED for d in self.delegations)


async def run_delegations(
    config_path: Path, model: Model, tasks: Sequence[DemoTask], on_stage: OnStage
) -> DemoRun:
    """Delegate every task in turn, apply and commit the passed ones, then build the report."""
    # The sample's own file only: the user's ~/.config/baton/baton.toml must not change the demo.
    config = load_config(config_path=config_path, user_path=Path(os.devnull))
    repo = project_root(config)
    ledger = open_ledger(config)
    try:
        done: list[Delegated] = []
        for index, demo in enumerate(tasks):
            done.append(await _delegate(index, demo, config, repo, ledger, model, on_stage))
        records = await anyio.to_thread.run_sync(ledger.run_records)
        path = ledger.path
    finally:
        ledger.close()
    report = build_report(records, config.report)
    passed, summary = await anyio.to_thread.run_sync(run_sample_tests, repo)
    return DemoRun(tuple(done), report, passed, summary, path)


async def _delegate(
    index: int,
    demo: DemoTask,
    config: BatonConfig,
    repo: Path,
    ledger: SqliteLedger,
    model: Model,
    on_stage: OnStage,
) -> Delegated:
    async def progress(message: str) -> None:
        await on_stage(index, message)

    started = time.monotonic()
    applied: tuple[str, ...] = ()
    with model.serve(demo) as model_env:
        pipeline = Pipeline(config, repo, ledger, env=_environment(model_env))
        result = await pipeline.delegate(demo.task, on_progress=progress)
    if result.verdict == "passed":
        await progress("applying the diff to the sample repository")
        applied = (await pipeline.apply(result.run_id)).files
        message = f"{demo.title} (baton run {result.run_id})"
        await anyio.to_thread.run_sync(commit, repo, message)
    await progress(f"done: {result.verdict}")
    return Delegated(demo, result, applied, time.monotonic() - started)


def _environment(model_env: dict[str, str]) -> dict[str, str]:
    """Baton's environment with the model's variables; this Python (with pytest) first on PATH,
    so the gate's and the checks' `python` is the one running the demo."""
    env = {**os.environ, **model_env}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def run_sample_tests(repo: Path) -> tuple[bool, str]:
    """Run the sample project's own tests: whether they pass, and pytest's summary line."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=SAMPLE_TESTS_TIMEOUT_SEC,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return done.returncode == 0, (lines[-1] if lines else done.stderr.strip()[-200:])
