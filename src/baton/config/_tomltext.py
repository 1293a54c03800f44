"""Where things are in a TOML text: the line of a key, the span of a table.

Neither `tomllib` nor `tomlkit` reports positions of keys, so this module scans the text itself.
It expects text that already parsed as TOML, and only needs to tell statements (headers and
`key = value` lines) apart from the strings, arrays and comments that may span lines.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Literal

__all__ = ["KeyPath", "Statement", "key_line", "statements"]

KeyPath = tuple[str | int, ...]

_BARE_KEY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_OPENERS = {"[": "]", "{": "}"}


@dataclass(frozen=True)
class Statement:
    """One header or key/value pair: its full key path, first line and character span."""

    kind: Literal["table", "array", "key"]
    path: KeyPath
    line: int
    start: int
    end: int  # just past the statement's line, newline included


def statements(text: str) -> list[Statement]:
    """Every header and key/value statement of `text`, in order."""
    found: list[Statement] = []
    table: KeyPath = ()
    arrays: dict[KeyPath, int] = {}
    pos = _skip_blank(text, 0)
    while pos < len(text):
        if text[pos] == "[":
            is_array = text.startswith("[[", pos)
            parts, after = _read_key(text, pos + (2 if is_array else 1))
            table = _resolve(parts, is_array, arrays)
            kind: Literal["table", "array", "key"] = "array" if is_array else "table"
            end = _line_end(text, after)
            found.append(Statement(kind, table, _line_of(text, pos), pos, end))
        else:
            parts, after = _read_key(text, pos)
            end = _line_end(text, _skip_value(text, after + 1))
            found.append(Statement("key", table + tuple(parts), _line_of(text, pos), pos, end))
        pos = _skip_blank(text, end)
    return found


def key_line(text: str, path: KeyPath) -> int | None:
    """The line that sets `path`, else the line of the nearest enclosing table or key."""
    found = statements(text)
    for statement in found:
        if statement.path == path:
            return statement.line
    for statement in found:
        if statement.path[: len(path)] == path:
            return statement.line
    enclosing = [s for s in found if path[: len(s.path)] == s.path and s.path]
    return max(enclosing, key=lambda s: len(s.path)).line if enclosing else None


def _resolve(parts: list[str], is_array: bool, arrays: dict[KeyPath, int]) -> KeyPath:
    """A header's path, with the index of the current element of each array of tables."""
    resolved: list[str | int] = []
    for index, part in enumerate(parts):
        resolved.append(part)
        key = tuple(resolved)
        if is_array and index == len(parts) - 1:
            arrays[key] = arrays.get(key, -1) + 1
            resolved.append(arrays[key])
        elif key in arrays:
            resolved.append(arrays[key])
    return tuple(resolved)


def _read_key(text: str, pos: int) -> tuple[list[str], int]:
    """Parse a dotted key starting at `pos`; returns its parts and the offset of `=` or `]`."""
    parts: list[str] = []
    while True:
        pos = _skip_spaces(text, pos)
        if text[pos] in "\"'":
            close = _string_end(text, pos)
            parts.append(tomllib.loads(f"k = {text[pos:close]}")["k"])
            pos = close
        else:
            start = pos
            while pos < len(text) and text[pos] in _BARE_KEY:
                pos += 1
            parts.append(text[start:pos])
        pos = _skip_spaces(text, pos)
        if text[pos] != ".":
            return parts, pos
        pos += 1


def _skip_value(text: str, pos: int) -> int:
    """The offset of the newline (or end) that ends the value starting at `pos`."""
    depth = 0
    while pos < len(text):
        char = text[pos]
        if char in "\"'":
            pos = _string_end(text, pos)
            continue
        if char == "#":
            pos = text.find("\n", pos)
            pos = len(text) if pos < 0 else pos
            continue
        if char == "\n" and depth == 0:
            return pos
        if char in _OPENERS:
            depth += 1
        elif char in "]}":
            depth -= 1
        pos += 1
    return pos


def _string_end(text: str, pos: int) -> int:
    """The offset just past the string literal that opens at `pos`."""
    quote = text[pos]
    delimiter = quote * 3 if text.startswith(quote * 3, pos) else quote
    pos += len(delimiter)
    while not text.startswith(delimiter, pos):
        pos += 2 if quote == '"' and text[pos] == "\\" else 1
    pos += len(delimiter)
    while len(delimiter) == 3 and pos < len(text) and text[pos] == quote:
        pos += 1  # up to two quotes may stand right before the closing delimiter
    return pos


def _line_end(text: str, pos: int) -> int:
    newline = text.find("\n", pos)
    return len(text) if newline < 0 else newline + 1


def _skip_blank(text: str, pos: int) -> int:
    """Skip whitespace, newlines and comment lines."""
    while pos < len(text):
        if text[pos] in " \t\r\n":
            pos += 1
        elif text[pos] == "#":
            pos = _line_end(text, pos)
        else:
            break
    return pos


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1
