"""The added lines of a unified git diff, with their line numbers in the new file. Pure.

Hunks are walked by their line counts, so an added line that itself starts with `++` or a removed
line starting with `--` is never mistaken for a file header. Binary patches and deleted files
have no added lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["AddedLine", "added_lines"]

_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_QUOTED_PART = re.compile(r"\\([0-7]{3}|.)|[^\\]+", re.DOTALL)
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13}


@dataclass(frozen=True)
class AddedLine:
    """One added line: the new file's path, the line's number in it, and its text."""

    path: str
    number: int
    text: str


def _unquote(name: str) -> str:
    """A path as git spells it in a header, C-quoted when it holds unusual bytes."""
    if len(name) < 2 or not (name[0] == name[-1] == '"'):
        return name
    raw = bytearray()
    for part in _QUOTED_PART.finditer(name[1:-1]):
        escape = part.group(1)
        if escape is None:
            raw += part.group().encode("utf-8", "surrogateescape")
        elif len(escape) == 3:
            raw.append(int(escape, 8))
        else:
            raw.append(_ESCAPES.get(escape, ord(escape)))
    return raw.decode("utf-8", "surrogateescape")


def _new_path(header: str) -> str | None:
    """The path of a `+++ b/path` header, or None for `/dev/null` (a deleted file)."""
    name = _unquote(header[4:].rstrip("\t"))
    if name == "/dev/null":
        return None
    return name[2:] if name.startswith("b/") else name


@dataclass
class _Hunk:
    old_left: int
    new_left: int
    number: int

    @property
    def open(self) -> bool:
        return self.old_left > 0 or self.new_left > 0


def added_lines(diff: str) -> Iterator[AddedLine]:
    """Every `+` line inside a hunk, with its path and its line number in the new file."""
    path: str | None = None
    hunk = _Hunk(0, 0, 0)
    for line in diff.split("\n"):  # not splitlines(): \x0c or \u2028 inside a line is content
        if hunk.open and line[:1] in ("+", "-", " ", "", "\\"):
            if line.startswith("+") and path is not None:
                yield AddedLine(path, hunk.number, line[1:])
            _advance(hunk, line[:1])
        elif line.startswith("diff --git ") or line.startswith("GIT binary patch"):
            path, hunk = None, _Hunk(0, 0, 0)
        elif line.startswith("+++ "):
            path = _new_path(line)
        elif match := _HUNK.match(line):
            old, start, new = match.groups()
            hunk = _Hunk(int(old or 1), int(new or 1), int(start))


def _advance(hunk: _Hunk, marker: str) -> None:
    if marker in ("+", " ", ""):
        hunk.new_left -= 1
        hunk.number += 1
    if marker in ("-", " ", ""):
        hunk.old_left -= 1
