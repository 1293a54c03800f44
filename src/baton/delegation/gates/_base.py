"""What a gate is: a named shell command run in the workspace, and the order gates run in."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GATE_ORDER", "Gate", "GateDetector", "program_of", "stage_rank"]

# The seed's order: cheap, local checks first, so a formatting slip costs seconds, not a build.
GATE_ORDER = ("format", "lint", "typecheck", "test", "build")

# Shell words that are not programs on PATH: nothing to look for before running them.
_SHELL_WORDS = frozenset(
    {"!", "[", "[[", "{", ".", ":", "builtin", "case", "cd", "command", "eval", "exec", "export"}
    | {"for", "if", "set", "source", "test", "time", "true", "false", "ulimit", "umask", "unset"}
    | {"until", "while"}
)
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True)
class Gate:
    """One quality gate: `command` run by the shell in the workspace.

    `stage` places it in `GATE_ORDER`; `detected` says it came from looking at the project rather
    than from `[gates]`; `requires` is the executable that must be on PATH for it to run at all.
    """

    name: str
    command: str
    read_only: bool = True
    stage: str | None = None
    detected: bool = False
    requires: str | None = None

    @property
    def source(self) -> str:
        """`detected` or `configured`, as the CLI and the report show it."""
        return "detected" if self.detected else "configured"


# A detector looks at a project's root and returns the gates it recognises there (or none).
GateDetector = Callable[[Path], list[Gate]]


def stage_rank(gate: Gate) -> int:
    """The gate's position in `GATE_ORDER`; gates of no known stage go last."""
    return GATE_ORDER.index(gate.stage) if gate.stage in GATE_ORDER else len(GATE_ORDER)


def program_of(command: str) -> str | None:
    """The program a shell command starts, or None when it starts with a shell word or is unclear.

    `FOO=1 ruff check .` runs `ruff`; `cd sub && make` starts with a builtin and `./check.sh`
    depends on the directory, so neither says anything (the shell reports them when run).
    """
    try:
        words = shlex.split(command, comments=True)
    except ValueError:
        return None
    for word in words:
        if _ASSIGNMENT.match(word):
            continue  # an environment assignment before the program
        unclear = word in _SHELL_WORDS or any(c in word for c in "$`();&|<>*?")
        relative = "/" in word and not word.startswith("/")
        return None if unclear or relative else word
    return None
