"""The data and errors of applying a diff to the lead's tree (re-exported by `apply`).

ApplyError(BatonError)   the diff does not apply, or cannot be written; names the file
└── ApplyRefused         the lead's tree moved under a touched path since the run started
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from baton.errors import BatonError

__all__ = ["AppliedDiff", "ApplyError", "ApplyRefused", "Fingerprint"]

_REDO = (
    "re-run the delegation on the current tree (`baton delegate` again), "
    "or apply the run's diff by hand (`git apply --3way`) and resolve what conflicts"
)


@dataclass(frozen=True)
class Fingerprint:
    """A touched path as it was at the start of the run: git blob id and mode, None if absent."""

    path: str
    blob: str | None
    mode: str | None


@dataclass(frozen=True)
class AppliedDiff:
    """What reached the lead's tree: the paths written or deleted, and the lines added/removed."""

    files: tuple[str, ...]
    added: int
    removed: int


class ApplyError(BatonError):
    """The diff cannot be applied to the lead's tree; says which file and why."""

    exit_code = 1


class ApplyRefused(ApplyError):
    """The lead's tree changed under paths the diff touches; nothing was written."""

    def __init__(self, root: str, moved: Sequence[tuple[str, str]]) -> None:
        listing = "\n".join(f"  {path}: {why}" for path, why in moved)
        super().__init__(
            f"refused to apply to {root}: the tree moved under {len(moved)} path(s) the diff "
            f"touches, nothing was written:\n{listing}",
            hint=_REDO,
        )
        self.paths = tuple(path for path, _ in moved)
