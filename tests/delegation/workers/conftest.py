"""A temporary git repository as the workspace, and the real Codex CLI pointed at a script."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from baton.config.schema import WorkerConfig
from baton.delegation.workers import CodexExecWorker, CodexMcpWorker
from tests.conftest import REPO, codex_cli
from tests.delegation._git import git
from tests.fixtures.models.responses_server import ResponsesServer, write_codex_home

CodexFactory = Callable[..., CodexExecWorker]
CodexMcpFactory = Callable[..., CodexMcpWorker]

# Two Codex releases are pinned: the current one in package.json (`codex_cli`), 0.153.0 (the
# last with `codex mcp-server`) in its own npm project under tests/peers (see the Makefile for why).
CODEX_MCP_SERVER = (
    REPO
    / "tests"
    / "peers"
    / "codex-0153"
    / "node_modules"
    / "@openai"
    / "codex"
    / "bin"
    / "codex.js"
)


def codex_mcp_server() -> Path:
    """Codex 0.153.0, or skip the test saying how to install it."""
    path = CODEX_MCP_SERVER
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} missing in CI: `make install` should have installed it")
        pytest.skip(f"{path.relative_to(REPO)} not installed: run `make install`")
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with one commit: a README and an empty `src/`."""
    path = tmp_path / "repo"
    (path / "src").mkdir(parents=True)
    (path / "README.md").write_text("# demo\n")
    (path / "src" / "__init__.py").write_text("")
    git(path, "init", "-q", "-b", "main")
    git(path, "add", ".")
    git(path, "commit", "-qm", "init")
    return path


@pytest.fixture
def codex(tmp_path: Path) -> CodexFactory:
    """Build a codex-exec worker running the pinned Codex CLI against a scripted server."""
    binary = codex_cli()

    def build(server: ResponsesServer, **config: object) -> CodexExecWorker:
        env = {**os.environ, **write_codex_home(tmp_path / "codex-home", server.base_url)}
        worker_config = WorkerConfig(adapter="codex-exec", command=[str(binary)], **config)
        return CodexExecWorker("codex", worker_config, env)

    return build


@pytest.fixture
def codex_mcp(tmp_path: Path) -> CodexMcpFactory:
    """Build a codex-mcp worker running Codex 0.153.0's MCP server against a scripted server."""
    script = codex_mcp_server()

    def build(server: ResponsesServer, **config: object) -> CodexMcpWorker:
        env = {**os.environ, **write_codex_home(tmp_path / "codex-home", server.base_url)}
        worker_config = WorkerConfig(adapter="codex-mcp", command=[str(script)], **config)
        return CodexMcpWorker("codex-0153", worker_config, env)

    return build
