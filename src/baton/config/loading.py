"""Finding, reading and merging `baton.toml` files into one validated `BatonConfig`.

Two files at most: the user's (`~/.config/baton/baton.toml`) under the project's (the nearest
`baton.toml` above the working directory, not beyond the repository root). Tables merge deeply,
lists replace, and a `[servers.NAME]` or `[workers.NAME]` entry replaces the lower file's entry
whole, because mixing one file's `command` with the other's `url` would make nonsense.
Loading never writes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from baton.config._files import parse_toml, read_text
from baton.config._tomltext import KeyPath, key_line
from baton.config._validate import Problem, problems_to_error, validation_problems
from baton.config.schema import BatonConfig
from baton.errors import ConfigError

__all__ = [
    "PROJECT_FILE_NAME",
    "find_project_file",
    "load_config",
    "project_root",
    "user_config_path",
]

PROJECT_FILE_NAME = "baton.toml"
_WHOLE_ENTRIES = ("servers", "workers")
_SET_BY_LOADER = ("sources", "project_file")


@dataclass(frozen=True)
class _Layer:
    """One file's contribution: its path, its text (for line numbers) and its data."""

    path: Path
    text: str
    data: dict[str, Any]


def user_config_path() -> Path:
    """`$BATON_USER_CONFIG`, else `$XDG_CONFIG_HOME/baton/baton.toml`, else under `~/.config`."""
    if explicit := os.environ.get("BATON_USER_CONFIG"):
        return Path(explicit).expanduser()
    config_home = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config_home) / "baton" / PROJECT_FILE_NAME


def find_project_file(start: Path | None = None) -> Path | None:
    """The nearest `baton.toml` at or above `start`, not looking past a directory with `.git`."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / PROJECT_FILE_NAME
        if candidate.is_file():
            return candidate
        if (directory / ".git").exists():
            return None
    return None


def project_root(config: BatonConfig) -> Path:
    """The directory of the project `baton.toml`, or the working directory without one."""
    return config.project_file.parent if config.project_file else Path.cwd()


def load_config(
    start: Path | None = None,
    *,
    config_path: Path | None = None,
    user_path: Path | None = None,
) -> BatonConfig:
    """Read the user and project files, merge them and validate; no file at all gives defaults."""
    project = _explicit(config_path) if config_path else find_project_file(start)
    user = user_path or user_config_path()
    layers: list[_Layer] = []
    if user.is_file() and not (project and user.resolve() == project.resolve()):
        layers.append(_read_layer(user))
    if project:
        layers.append(_read_layer(project))
    return _validate(layers, project)


def _explicit(path: Path) -> Path:
    if not path.is_file():
        raise ConfigError(
            "no such config file",
            file=str(path),
            hint="check the --config path, or create the file (`baton import codex` writes one)",
        )
    return path.resolve()


def _read_layer(path: Path) -> _Layer:
    text = read_text(path, what="baton config")
    data = parse_toml(text, path)
    _resolve_relative_paths(data, path.parent)
    return _Layer(path, text, data)


def _resolve_relative_paths(data: dict[str, Any], base: Path) -> None:
    """Make `servers.*.cwd` and `ledger.path` absolute against the file that set them."""
    servers = data.get("servers")
    entries = servers.values() if isinstance(servers, dict) else ()
    for table, key in [*((entry, "cwd") for entry in entries), (data.get("ledger"), "path")]:
        if isinstance(table, dict) and isinstance(table.get(key), str):
            path = Path(table[key]).expanduser()
            table[key] = str(path if path.is_absolute() else base / path)


def _merge(lower: dict[str, Any], upper: dict[str, Any], at: KeyPath = ()) -> dict[str, Any]:
    """`upper` over `lower`: tables merge, everything else (and whole entries) replaces."""
    merged = dict(lower)
    for key, value in upper.items():
        below = merged.get(key)
        whole_entry = len(at) == 1 and at[0] in _WHOLE_ENTRIES
        if isinstance(below, dict) and isinstance(value, dict) and not whole_entry:
            merged[key] = _merge(below, value, (*at, key))
        else:
            merged[key] = value
    return merged


def _validate(layers: Sequence[_Layer], project: Path | None) -> BatonConfig:
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = _merge(merged, layer.data)
    problems = [problem for layer in layers for problem in _loader_keys(layer)]
    config = BatonConfig()
    try:
        config = BatonConfig.model_validate(
            {k: v for k, v in merged.items() if k not in _SET_BY_LOADER}
        )
    except ValidationError as exc:
        problems += validation_problems(exc, BatonConfig, _locator(layers))
    if problems:
        order = [layer.path for layer in layers]
        problems.sort(key=lambda p: (order.index(p.file), p.line or 0))
        raise problems_to_error(problems)
    sources = [layer.path for layer in layers]
    return config.model_copy(update={"sources": sources, "project_file": project})


def _loader_keys(layer: _Layer) -> list[Problem]:
    """Keys a file may not set because the loader fills them in."""
    return [
        Problem(layer.path, (key,), key_line(layer.text, (key,)), f"unknown key `{key}`")
        for key in _SET_BY_LOADER
        if key in layer.data
    ]


def _locator(layers: Sequence[_Layer]) -> Callable[[KeyPath], tuple[Path, str]]:
    """Which file a key came from: the one holding the most of its path, the project on ties."""

    def depth(layer: _Layer, key: KeyPath) -> int:
        node: Any = layer.data
        for count, part in enumerate(key):
            in_table = isinstance(node, dict) and part in node
            in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
            if not (in_table or in_list):
                return count
            node = node[part]
        return len(key)

    def locate(key: KeyPath) -> tuple[Path, str]:
        layer = max(reversed(layers), key=lambda layer: depth(layer, key))
        return layer.path, layer.text

    return locate
