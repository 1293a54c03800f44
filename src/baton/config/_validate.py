"""Turn pydantic's validation errors into one ConfigError naming file, dotted key and line."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from baton.config._tomltext import KeyPath, key_line
from baton.errors import ConfigError

__all__ = ["Problem", "dotted", "problems_to_error", "validation_problems"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file, at one key."""

    file: Path
    key: KeyPath
    line: int | None
    message: str
    hint: str | None = None

    def describe(self) -> str:
        """`file:line [key]: message`, one line."""
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where} [{dotted(self.key)}]: {self.message}"


def dotted(key: KeyPath) -> str:
    """`servers.github.args[0]` for ("servers", "github", "args", 0)."""
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def validation_problems(
    exc: ValidationError,
    model: type[BaseModel],
    locate: Callable[[KeyPath], tuple[Path, str]],
) -> list[Problem]:
    """One Problem per pydantic error; `locate` says which file (and its text) holds a key."""
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        key = tuple(part for part in error["loc"] if isinstance(part, str | int))
        file, text = locate(key)
        message, hint = _explain(error, key, model)
        problems.append(Problem(file, key, key_line(text, key), message, hint))
    return problems


def problems_to_error(problems: Sequence[Problem]) -> ConfigError:
    """The first problem precisely, every other one listed in the message."""
    first, rest = problems[0], problems[1:]
    message = first.message + "".join(f"\n  also {p.describe()}" for p in rest)
    return ConfigError(
        message, file=str(first.file), key=dotted(first.key), line=first.line, hint=first.hint
    )


def _explain(error: ErrorDetails, key: KeyPath, model: type[BaseModel]) -> tuple[str, str | None]:
    name = str(key[-1]) if key else ""
    if error["type"] == "extra_forbidden":
        allowed = _fields_at(model, key[:-1])
        close = difflib.get_close_matches(name, allowed, n=1)
        guess = f"; did you mean `{close[0]}`?" if close else ""
        return f"unknown key `{name}`{guess}", "valid keys here: " + ", ".join(allowed)
    if error["type"] == "missing":
        return f"missing required key `{name}`", f"add `{name} = ...`"
    message = error["msg"].removeprefix("Value error, ")
    return message[:1].lower() + message[1:], None


def _fields_at(model: type[BaseModel], key: KeyPath) -> list[str]:
    """The field names of the model found at `key` inside `model`."""
    annotation: Any = model
    for part in key:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [name for name, field in annotation.model_fields.items() if not field.exclude]
    return []


def _step(annotation: Any, part: str | int) -> Any:
    """The annotation one level down: a model's field, a dict's value or a list's item."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(part))
        return field.annotation if field else None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in args if arg is not type(None)]
        return _step(inner[0], part) if len(inner) == 1 else None
    if origin is dict:
        return args[1]
    if origin is list:
        return args[0]
    return None
