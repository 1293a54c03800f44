"""A delegation task: the seed's template (Scope, Goal, Acceptance Criteria, Constraints) as data.

Parsing is pure except `load_task`, which reads one file. Every problem is a `TaskError` that
names the file and line (Markdown, TOML) or the JSON path, and says what to write instead.
"""

from __future__ import annotations

from baton.task._model import (
    KINDS,
    LEAD_KINDS,
    REVIEW_KINDS,
    Criterion,
    Task,
    TaskKind,
    normalise_kind,
)
from baton.task._parse import TaskFormat, load_task, parse_task, task_from_json

__all__ = [
    "KINDS",
    "LEAD_KINDS",
    "REVIEW_KINDS",
    "Criterion",
    "Task",
    "TaskFormat",
    "TaskKind",
    "load_task",
    "normalise_kind",
    "parse_task",
    "task_from_json",
]
