"""Shared test fixtures: an isolated home, the npm peers, and helpers to start Baton."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NODE_BIN = REPO / "node_modules" / ".bin"
FIXTURE_SERVERS = REPO / "tests" / "fixtures" / "servers"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """No test reads or writes the developer's real ~/.config/baton or ~/.codex."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("CODEX_HOME", str(home / ".codex"))
    monkeypatch.delenv("BATON_USER_CONFIG", raising=False)
    yield home


def node_bin(name: str) -> Path:
    """A binary from the npm peers, or skip the test saying how to install them."""
    path = NODE_BIN / name
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} missing in CI: `make install` should have installed the npm peers")
        pytest.skip(f"{name} not installed: run `make install`")
    return path


def codex_cli() -> Path:
    """The current Codex CLI (pinned 0.169.0), named by its package path."""
    path = REPO / "node_modules" / "@openai" / "codex" / "bin" / "codex.js"
    if not path.exists():
        node_bin("codex")  # skips or fails with the install hint
    return path


def baton_command() -> list[str]:
    """How tests start Baton: the interpreter running the tests, so the venv is used."""
    return [sys.executable, "-m", "baton"]


def run_baton(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`baton ARGS` in `cwd` as a user runs it: a wide terminal, a bare PATH, `cwd` as home."""
    return subprocess.run(
        [*baton_command(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
    )


def fixture_server(name: str) -> list[str]:
    """Command line that runs one of the fixture servers in tests/fixtures/servers."""
    return [sys.executable, str(FIXTURE_SERVERS / name)]


def require_tool(tool: str) -> str:
    """An executable from the system's packages, or skip saying how to install it (fail in CI)."""
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} missing in CI: `make install` should have installed it")
        pytest.skip(f"{tool} not installed: run `make install` (as root) or install it yourself")
    return found


def have(tool: str) -> bool:
    """Whether an executable is on PATH."""
    return shutil.which(tool) is not None
