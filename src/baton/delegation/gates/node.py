"""Gates of a Node project: the package.json scripts for each stage, run with `npm run`."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

from baton.delegation.gates._base import Gate

__all__ = ["NPM_DEFAULT_TEST", "STAGE_SCRIPTS", "detect_node"]

# The scripts that stand for each stage, preferred first. `format` alone usually writes files
# (prettier --write), so only `format:check` counts as read-only.
STAGE_SCRIPTS: dict[str, tuple[str, ...]] = {
    "format": ("format:check", "format"),
    "lint": ("lint",),
    "typecheck": ("typecheck", "type-check", "tsc"),
    "test": ("test",),
    "build": ("build",),
}
# What `npm init` writes as the test script: a placeholder, not a test suite.
NPM_DEFAULT_TEST = 'echo "Error: no test specified" && exit 1'
_WRITERS = frozenset({"format", "build"})


def detect_node(root: Path) -> list[Gate]:
    """One gate per stage that package.json has a script for, run as `npm run SCRIPT --silent`."""
    scripts = _scripts(root / "package.json")
    gates = []
    for stage, names in STAGE_SCRIPTS.items():
        script = next((name for name in names if _usable(scripts.get(name))), None)
        if script is None:
            continue
        command = f"npm run {shlex.quote(script)} --silent"
        read_only = script not in _WRITERS
        gates.append(Gate(stage, command, read_only, stage, detected=True, requires="npm"))
    return gates


def _usable(script: Any) -> bool:
    return isinstance(script, str) and bool(script.strip()) and script.strip() != NPM_DEFAULT_TEST


def _scripts(package_json: Path) -> dict[str, Any]:
    """package.json's `scripts`; none when the file is missing or unreadable."""
    try:
        data = json.loads(package_json.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    scripts = data.get("scripts") if isinstance(data, dict) else None
    return scripts if isinstance(scripts, dict) else {}
