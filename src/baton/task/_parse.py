"""Reading a task from Markdown, TOML or JSON into a validated `Task`, with precise errors."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from baton.config._tomltext import key_line
from baton.config._validate import dotted
from baton.errors import TaskError
from baton.task._markdown import parse_markdown
from baton.task._model import Task

__all__ = ["TaskFormat", "load_task", "parse_task", "task_from_json"]

TaskFormat = Literal["markdown", "toml", "json"]
_SUFFIXES: dict[str, TaskFormat] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".toml": "toml",
    ".json": "json",
}
_FIELDS_HINT = "fields: goal, scope, acceptance ({text, check}), constraints, kind, worker"


def _validate(data: Any, where: Any) -> Task:
    """`Task` from plain data; `where(loc)` says where a failing location is in the source."""
    if not isinstance(data, Mapping):
        kind = type(data).__name__
        raise TaskError(f"a task is an object, got {kind}", where=where(()), hint=_FIELDS_HINT)
    try:
        return Task.model_validate(dict(data))
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown field '{loc[-1]}'"
        elif error["type"] == "missing":
            message = f"'{loc[-1]}' is required"
        path = dotted(loc) or "(task)"  # a JSON path: `acceptance[1].check`
        raise TaskError(f"{path}: {message}", where=where(loc), hint=_FIELDS_HINT) from exc


def task_from_json(data: Any, source: str = "task") -> Task:
    """`Task` from the `delegate` tool's JSON arguments (already decoded)."""
    return _validate(data, lambda loc: source)


def _from_toml(text: str, source: str) -> Task:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaskError(f"not valid TOML: {exc}", where=source, hint="fix the syntax") from exc

    def where(loc: tuple[str | int, ...]) -> str:
        line = key_line(text, loc) if loc else None
        return f"{source}:{line}" if line else source

    return _validate(data, where)


def _from_json_text(text: str, source: str) -> Task:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TaskError(f"not valid JSON: {exc.msg}", where=f"{source}:{exc.lineno}") from exc
    return task_from_json(data, source)


def _sniff(text: str) -> TaskFormat:
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return "json"
    # TOML has no list items or headings; the template always has them.
    markdown = re.compile(r"^\s*([-*+]\s|#|\[(task|acceptance criteria|constraints)\]\s*$)", re.I)
    return "markdown" if any(markdown.match(line) for line in text.splitlines()) else "toml"


def parse_task(text: str, *, source: str = "task", format: TaskFormat | None = None) -> Task:
    """A validated `Task` from text; the format comes from `format`, else from the content."""
    chosen = format or _sniff(text)
    if chosen == "json":
        return _from_json_text(text, source)
    if chosen == "toml":
        return _from_toml(text, source)
    data, lines = parse_markdown(text, source)

    def where(loc: tuple[str | int, ...]) -> str:
        line = lines.get(loc[:2]) or lines.get(loc[:1])
        return f"{source}:{line}" if line else source

    return _validate(data, where)


def load_task(path: Path) -> Task:
    """Read and parse a task file; the format comes from its suffix, else from its content."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TaskError(f"cannot read the task file: {exc}", where=str(path)) from exc
    return parse_task(text, source=str(path), format=_SUFFIXES.get(path.suffix.casefold()))
