"""Shared fixtures: every test gets its own HOME, XDG_CONFIG_HOME and CODEX_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every per-user location at a fresh directory, so no real config is read."""
    home = tmp_path / "home"
    for name, path in {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "CODEX_HOME": home / ".codex",
    }.items():
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(path))
    monkeypatch.delenv("BATON_USER_CONFIG", raising=False)
    return home


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty repository root (it has `.git`, so the search for baton.toml stops there)."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


@pytest.fixture
def run_baton() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `python -m baton ARGS` in `cwd` with the test's environment."""

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "baton", *args],
            cwd=cwd,
            # wide, so rich does not break file paths in messages across lines
            env={**os.environ, "COLUMNS": "400"},
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run
