"""Small real projects for the gates to look at and run in, and a PATH with the real tools."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# The venv running the tests holds the real ruff and pytest the gates run.
VENV_BIN = Path(sys.executable).parent
CLEAN_MODULE = "def add(a: int, b: int) -> int:\n    return a + b\n"
PASSING_TEST = "from calc import add\n\n\ndef test_add() -> None:\n    assert add(2, 3) == 5\n"
FAILING_TEST = "from calc import add\n\n\ndef test_add() -> None:\n    assert add(2, 3) == 6\n"

Project = Callable[..., Path]


def tool_env(home: Path, *, with_venv: bool = True) -> dict[str, str]:
    """A minimal environment: the venv's tools first on PATH when asked, then the system's."""
    for tool in ("ruff", "pytest"):
        assert (VENV_BIN / tool).exists(), f"{tool} missing from {VENV_BIN}: run `make install`"
    path = f"{VENV_BIN}:/usr/bin:/bin" if with_venv else "/usr/bin:/bin"
    return {"PATH": path, "HOME": str(home), "LANG": "C.UTF-8"}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return tool_env(tmp_path)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A tiny clean Python project (pyproject, one module, one test); `files` add or replace."""

    def make(files: dict[str, str] | None = None, name: str = "project") -> Path:
        root = tmp_path / name
        contents = {
            "pyproject.toml": '[project]\nname = "calc"\nversion = "0"\n',
            "calc.py": CLEAN_MODULE,
            "tests/test_calc.py": PASSING_TEST,
            **(files or {}),
        }
        for path, text in contents.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        return root

    return make
