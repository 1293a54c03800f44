"""A lead repository, and a pipeline whose worker is the real Codex (either adapter), jailed."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import codex_cli, require_tool
from tests.delegation._git import git
from tests.delegation.workers.conftest import codex_mcp_server
from tests.fixtures.models.responses_server import ResponsesServer, write_codex_home

from baton.config.schema import BatonConfig, GateConfig, ReviewConfig, WorkerConfig
from baton.delegation.pipeline import Pipeline
from baton.ledger import SqliteLedger

ADAPTERS = ("codex-exec", "codex-mcp")
# The variables the scripted provider needs inside the jail, beside the defaults.
TEST_ENV_VARS = ["CODEX_HOME", "TMPDIR", "SCRIPTED_API_KEY", "LANG"]
HEALTH_TEST = """from src.health import health


def test_health() -> None:
    assert health() == {"status": "ok"}
"""


@pytest.fixture
def lead_repo(tmp_path: Path) -> Path:
    """The lead's repository: a small Python project with a test the task must make pass."""
    return make_lead_repo(tmp_path / "lead")


def make_lead_repo(repo: Path) -> Path:
    """A small Python project with a test the task must make pass, and an ignored `.env`."""
    (repo / "src").mkdir(parents=True)
    (repo / "tests").mkdir()
    (repo / "README.md").write_text("# service\n")
    (repo / "src" / "__init__.py").write_text("")
    (repo / "tests" / "__init__.py").write_text("")
    (repo / "tests" / "test_health.py").write_text(HEALTH_TEST)
    (repo / ".gitignore").write_text(".env\n__pycache__/\n.pytest_cache/\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "init")
    (repo / ".env").write_text("SECRET_TOKEN=do-not-leak-31337\n")
    return repo


def announced_workspaces(progress: list[str]) -> list[Path]:
    """The workspaces a run's progress messages announced (`workspace ready: PATH`)."""
    prefix = "workspace ready: "
    return [Path(m[len(prefix) :]) for m in progress if m.startswith(prefix)]


@dataclass
class Harness:
    """Builds pipelines for one adapter against one scripted model, and keeps their ledger."""

    adapter: str
    repo: Path
    home: Path
    ledger_path: Path
    progress: list[str] = field(default_factory=list)
    ledgers: list[SqliteLedger] = field(default_factory=list)

    def config(self, **review: Any) -> BatonConfig:
        """A config with the one worker, the test gate, and `[review]` as given."""
        codex = codex_cli() if self.adapter == "codex-exec" else codex_mcp_server()
        worker = WorkerConfig(
            adapter=self.adapter,  # type: ignore[arg-type]
            command=[str(codex)],
            env_vars=TEST_ENV_VARS,
            timeout_sec=review.pop("timeout_sec", 120.0),
        )
        gates = [GateConfig(name="test", command="python -m pytest -q -p no:cacheprovider")]
        return BatonConfig(workers={"codex": worker}, gates=gates, review=ReviewConfig(**review))

    def pipeline(self, server: ResponsesServer, **review: Any) -> Pipeline:
        """A fresh pipeline (as after a Baton restart) on the same ledger file."""
        env = {**os.environ, **write_codex_home(self.home, server.base_url)}
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        ledger = SqliteLedger(self.ledger_path)
        self.ledgers.append(ledger)
        return Pipeline(self.config(**review), self.repo, ledger, env=env)

    async def record(self, message: str) -> None:
        """The progress sink: every message the lead would see."""
        self.progress.append(message)

    def workspaces(self) -> list[Path]:
        """The workspaces the runs announced."""
        return announced_workspaces(self.progress)


@pytest.fixture(params=ADAPTERS)
def harness(request: pytest.FixtureRequest, lead_repo: Path, tmp_path: Path) -> Iterator[Harness]:
    """A harness for each adapter: codex-exec (current Codex), codex-mcp (Codex 0.153)."""
    require_tool("bwrap")
    made = Harness(request.param, lead_repo, tmp_path / "codex-home", tmp_path / "ledger.db")
    yield made
    for ledger in made.ledgers:
        ledger.close()


HarnessFactory = Callable[[str], Harness]
