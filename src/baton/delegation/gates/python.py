"""Gates of a Python project: ruff format and lint, mypy when configured, pytest when tested."""

from __future__ import annotations

import configparser
import os
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from baton.delegation.gates._base import Gate

__all__ = ["detect_python"]

_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg")
_MYPY_FILES = ("mypy.ini", ".mypy.ini")
# Directories no project's own tests live in; skipped so the search stays fast in a big tree.
_NOT_SOURCE = frozenset({"node_modules", "__pycache__", "site-packages", "build", "dist"})


def detect_python(root: Path) -> list[Gate]:
    """ruff format and lint for any Python project; mypy if configured; pytest if it has tests."""
    if not (any((root / name).is_file() for name in _MARKERS) or any(root.glob("*.py"))):
        return []
    pyproject = _pyproject(root)
    gates = [
        Gate("format", "ruff format --check .", stage="format", detected=True, requires="ruff"),
        Gate("lint", "ruff check .", stage="lint", detected=True, requires="ruff"),
    ]
    if _mypy_configured(root, pyproject):
        gates.append(Gate("typecheck", "mypy .", stage="typecheck", detected=True, requires="mypy"))
    if _has_tests(root, pyproject):
        # `python -m` puts the project root on sys.path, as flat layouts need; the `pytest`
        # executable on PATH is the sign that pytest is installed there.
        test = "python -m pytest -q"
        gates.append(Gate("test", test, stage="test", detected=True, requires="pytest"))
    return gates


def _pyproject(root: Path) -> dict[str, Any]:
    """pyproject.toml's tables; an unreadable one counts as empty (ruff will say what is wrong)."""
    try:
        return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def _tool(pyproject: dict[str, Any], *keys: str) -> bool:
    table: Any = pyproject.get("tool", {})
    for key in keys:
        if not isinstance(table, dict) or key not in table:
            return False
        table = table[key]
    return True


def _mypy_configured(root: Path, pyproject: dict[str, Any]) -> bool:
    if _tool(pyproject, "mypy") or any((root / name).is_file() for name in _MYPY_FILES):
        return True
    return "mypy" in _ini_sections(root / "setup.cfg")


def _has_tests(root: Path, pyproject: dict[str, Any]) -> bool:
    if (root / "tests").is_dir() or _tool(pyproject, "pytest", "ini_options"):
        return True
    if (root / "pytest.ini").is_file() or "pytest" in _ini_sections(root / "tox.ini"):
        return True
    if "tool:pytest" in _ini_sections(root / "setup.cfg"):
        return True
    return any(name.startswith("test_") or name.endswith("_test.py") for name in _py_files(root))


def _ini_sections(path: Path) -> set[str]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return set()
    return {section.split("-", 1)[0] for section in parser.sections()}


def _py_files(root: Path) -> Iterator[str]:
    """Names of the project's Python files, lazily; hidden and vendored directories skipped."""
    for _, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _NOT_SOURCE]
        yield from (name for name in files if name.endswith(".py"))
