"""What the policy engine decides about: actions in, a decision with its trace out. Pure data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Actor", "Decision", "PathAction", "PathOp", "ShellAction", "ToolCallAction", "Verdict"]

Verdict = Literal["allow", "deny", "ask"]
Actor = Literal["lead", "worker"]
PathOp = Literal["read", "write", "delete"]

_STRICTNESS: dict[Verdict, int] = {"allow": 0, "ask": 1, "deny": 2}


@dataclass(frozen=True)
class Decision:
    """A verdict, the rule that gave it, why, and the steps that led there."""

    verdict: Verdict
    rule: str
    reason: str
    trace: tuple[str, ...] = ()

    @property
    def denied(self) -> bool:
        """True when the action must not happen."""
        return self.verdict == "deny"

    def stricter(self, other: Decision) -> Decision:
        """The stricter of two decisions (deny > ask > allow); the first wins a tie."""
        return other if _STRICTNESS[other.verdict] > _STRICTNESS[self.verdict] else self

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "verdict": self.verdict,
            "rule": self.rule,
            "reason": self.reason,
            "trace": list(self.trace),
        }


ALLOW = Decision("allow", "default", "no rule denies it")


@dataclass(frozen=True)
class ShellAction:
    """A shell command line, as a lead's Bash tool or a worker would run it."""

    command: str
    actor: Actor = "lead"


@dataclass(frozen=True)
class PathAction:
    """A file path to read, write or delete.

    `resolved` is the path with symlinks followed, filled in by the caller that can look at the
    disk; the engine itself never does.
    """

    path: str
    op: PathOp = "read"
    actor: Actor = "lead"
    cwd: str = ""
    resolved: str | None = None


@dataclass(frozen=True)
class ToolCallAction:
    """An MCP (or Claude Code built-in) tool call with its arguments."""

    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)
    actor: Actor = "lead"
    cwd: str = ""
