"""The data the audit works on and produces: findings, changed paths, check and gate outcomes."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

__all__ = ["ChangeLike", "CheckOutcome", "Finding", "GateOutcome", "GateStatus", "Stage"]

Stage = Literal["spec", "quality", "security"]
GateStatus = Literal["passed", "failed", "skipped", "error", "timeout"]


@dataclass(frozen=True)
class Finding:
    """One audit finding: stage, rule, path and an actionable message; never a secret's value.

    `line` is the line in the new file when the finding has one (a secret on an added line).
    """

    stage: Stage
    rule: str
    path: str | None
    message: str
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data; `line` only when the finding has one."""
        data = asdict(self)
        if self.line is None:
            del data["line"]
        return data


class ChangeLike(Protocol):
    """One changed path as the workspace reports it (`baton.delegation.workspace.Change`)."""

    @property
    def path(self) -> str: ...
    @property
    def status(self) -> str: ...  # "added" | "modified" | "deleted" | "renamed" | "type-changed"
    @property
    def old_path(self) -> str | None: ...
    @property
    def is_symlink(self) -> bool: ...
    @property
    def symlink_target(self) -> str | None: ...


@dataclass(frozen=True)
class CheckOutcome:
    """One acceptance criterion's `check` command, as the driver ran it in the workspace.

    `output_tail` is already redacted: the runner redacts a command's output before keeping it.
    """

    text: str
    command: str
    exit_code: int | None
    output_tail: str
    timed_out: bool = False

    @property
    def passed(self) -> bool:
        """True when the command exited 0 within its time limit."""
        return self.exit_code == 0 and not self.timed_out


@dataclass(frozen=True)
class GateOutcome:
    """One quality gate, as the driver ran it in the workspace; `output_tail` already redacted."""

    name: str
    command: str
    status: GateStatus
    duration_ms: int
    output_tail: str
    exit_code: int | None = None

    @property
    def failed(self) -> bool:
        """True for a gate that failed, errored or timed out; a skipped gate does not fail."""
        return self.status in ("failed", "error", "timeout")

    def to_dict(self) -> dict[str, Any]:
        """The gate outcome as JSON-ready data."""
        return asdict(self)
