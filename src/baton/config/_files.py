"""Reading TOML and JSON with errors that point at the line, and writing files atomically."""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from baton.errors import ConfigError

__all__ = ["atomic_write", "parse_json", "parse_toml", "read_text"]

_TOML_POSITION = re.compile(r"\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)$")


def read_text(path: Path, *, what: str, hint: str = "check the path") -> str:
    """The text of `path`, or a ConfigError saying what is missing or unreadable."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"no {what} here", file=str(path), hint=hint) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {what}: {exc}", file=str(path)) from exc


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """Parse TOML; a syntax error becomes a ConfigError with the file and line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        line = int(match["line"]) if match else text.count("\n") + 1
        if match:
            message = f"{message[: match.start()]} (column {match['column']})"
        raise ConfigError(
            f"invalid TOML: {message}", file=str(path), line=line, hint="fix the syntax there"
        ) from exc


def parse_json(text: str, path: Path) -> dict[str, Any]:
    """Parse a JSON object; a syntax error becomes a ConfigError with the file, line and column."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"invalid JSON: {exc.msg} (column {exc.colno})",
            file=str(path),
            line=exc.lineno,
            hint="fix the syntax there",
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError("expected a JSON object at the top", file=str(path), line=1)
    return data


def atomic_write(path: Path, text: str, *, private: bool = False) -> None:
    """Replace `path` with `text` in one step; keeps the mode, a new `private` file is 0600."""
    target = path.resolve()  # write through a symlink instead of replacing it
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(target, private)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _mode_for(target: Path, private: bool) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        pass
    if private:
        return 0o600
    umask = os.umask(0)  # the only way to read it; set straight back
    os.umask(umask)
    return 0o666 & ~umask
