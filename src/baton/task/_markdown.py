"""The seed's delegation template in Markdown: `[Task]`, `[Acceptance Criteria]`, `[Constraints]`.

    [Task]
    - Scope: apps/data-collector/src/modules/system/*
    - Goal: Add GET /health endpoint returning service status
    [Acceptance Criteria]
    - [ ] GET /health returns 200 (check: `pytest tests/test_health.py`)
    [Constraints]
    - Follow existing controller pattern

Sections may also be headings (`## Task`). Problems raise `TaskError` naming `source:line`.
"""

from __future__ import annotations

import re
from typing import Any

from baton.errors import TaskError

__all__ = ["Loc", "parse_markdown"]

Loc = tuple[str | int, ...]

_SECTIONS = {"task": "task", "acceptance criteria": "acceptance", "constraints": "constraints"}
_TASK_KEYS = {"scope": "scope", "goal": "goal", "kind": "kind", "worker": "worker"}
_HEADER = re.compile(
    r"^\s*(?:#{1,6}\s*)?\**\s*(?:\[(?P<bracketed>[^\]]+)\]|(?P<plain>[^\[].*?))\s*\**\s*$"
)
_ITEM = re.compile(r"^\s*[-*+]\s+(?P<body>.*)$")
_CHECKBOX = re.compile(r"^\[[ xX]\]\s*")
_CHECK = re.compile(r"\s*(?:[—–-]\s*|\(\s*)?check:\s*`(?P<command>[^`]+)`\s*\)?\s*$")


def _section(line: str) -> str | None:
    """The section a header line opens, or None when the line is not a header."""
    match = _HEADER.match(line)
    if not match:
        return None
    if match["bracketed"] is not None:
        return match["bracketed"].strip().casefold()
    is_heading = line.lstrip().startswith("#")
    name = match["plain"].strip().casefold()
    return name if is_heading and name in _SECTIONS else None


def _scope(value: str) -> list[str]:
    globs = [part.strip().strip("`") for part in re.split(r"[,\s]+", value)]
    return [glob for glob in globs if glob and glob != "(none)"]


def _criterion(body: str) -> dict[str, Any]:
    text = _CHECKBOX.sub("", body, count=1)
    match = _CHECK.search(text)
    if match:
        return {"text": text[: match.start()].strip(), "check": match["command"].strip()}
    return {"text": text.strip()}


def _task_item(data: dict[str, Any], body: str, where: str) -> str:
    key, colon, value = body.partition(":")
    field = _TASK_KEYS.get(key.strip().strip("*").casefold())
    if not colon or field is None:
        raise TaskError(
            f"expected 'Scope:', 'Goal:', 'Kind:' or 'Worker:', got '{body}'",
            where=where,
            hint="write one `Key: value` item per line under [Task]",
        )
    if field == "scope":
        data.setdefault("scope", []).extend(_scope(value))
    elif field in data:
        raise TaskError(f"'{key.strip()}' is given twice", where=where, hint="keep one")
    else:
        data[field] = value.strip()
    return field


def parse_markdown(text: str, source: str) -> tuple[dict[str, Any], dict[Loc, int]]:
    """The task's fields from the Markdown template, and the line of each; validation is later."""
    data: dict[str, Any] = {}
    lines: dict[Loc, int] = {}
    section: str | None = None
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{source}:{number}"
        if not line.strip():
            continue
        name = _section(line)
        if name is not None:
            if name not in _SECTIONS:
                raise TaskError(
                    f"unknown section [{name}]",
                    where=where,
                    hint="use [Task], [Acceptance Criteria] and [Constraints]",
                )
            section = _SECTIONS[name]
            seen.add(section)
            continue
        item = _ITEM.match(line)
        if section is None:
            if line.lstrip().startswith("#"):
                continue  # a title above the template
            raise TaskError("text before [Task]", where=where, hint="start with a [Task] section")
        if item is None:
            raise TaskError(
                f"expected a list item ('- ...') in [{_title(section)}], got '{line.strip()}'",
                where=where,
            )
        body = item["body"].strip()
        if section == "task":
            field = _task_item(data, body, where)
            lines.setdefault((field,), number)
        else:
            items = data.setdefault(section, [])
            items.append(_criterion(body) if section == "acceptance" else body)
            lines.setdefault((section,), number)
            lines[(section, len(items) - 1)] = number
    if "task" not in seen:
        raise TaskError(
            "no [Task] section", where=source, hint="start with [Task] and '- Goal: ...'"
        )
    return data, lines


def _title(section: str) -> str:
    return next(k for k, v in _SECTIONS.items() if v == section).title()
