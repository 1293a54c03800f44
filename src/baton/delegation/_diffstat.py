"""A diff's size per file, read from the unified diff itself (what `git diff --stat` shows)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["DiffStat", "FileStat", "diff_stat"]


@dataclass(frozen=True)
class FileStat:
    """Lines added and removed in one file; a binary file counts none."""

    path: str
    added: int
    removed: int
    binary: bool = False


@dataclass(frozen=True)
class DiffStat:
    """Every file of a diff, and the totals."""

    files: tuple[FileStat, ...]

    @property
    def added(self) -> int:
        """Lines added in all files."""
        return sum(file.added for file in self.files)

    @property
    def removed(self) -> int:
        """Lines removed in all files."""
        return sum(file.removed for file in self.files)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: totals and one entry per file."""
        return {
            "files_changed": len(self.files),
            "added": self.added,
            "removed": self.removed,
            "files": [asdict(file) for file in self.files],
        }


def _path_of(header: str) -> str:
    """The new path of a `diff --git a/X b/Y` header (Y), as git writes it with our prefixes."""
    rest = header[len("diff --git ") :]
    middle = rest.find(" b/")
    return rest[middle + 3 :] if middle != -1 else rest


def diff_stat(diff: str) -> DiffStat:
    """Count the `+` and `-` lines of every file section in a git diff."""
    files: list[FileStat] = []
    path, added, removed, binary, in_hunk = None, 0, 0, False, False
    for line in diff.split("\n"):  # not splitlines(): \x0c or \u2028 inside a line is content
        if line.startswith("diff --git "):
            if path is not None:
                files.append(FileStat(path, added, removed, binary))
            path, added, removed, binary, in_hunk = _path_of(line), 0, 0, False, False
        elif line.startswith("@@"):
            in_hunk = True
        elif line.startswith("GIT binary patch") or line.startswith("Binary files "):
            binary = True
        elif in_hunk and line.startswith("+"):
            added += 1
        elif in_hunk and line.startswith("-"):
            removed += 1
    if path is not None:
        files.append(FileStat(path, added, removed, binary))
    return DiffStat(tuple(files))
