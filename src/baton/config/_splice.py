"""Put server entries into an existing TOML or JSON file without disturbing anything else.

TOML is edited as text: a replaced `[PREFIX.NAME]` table is swapped in place and new ones go
right after the last `[PREFIX.*]` table, so every other byte (comments, blank lines, key order)
stays as the user wrote it. Layouts this cannot edit as text (inline or dotted-key entries) go
through tomlkit. Either way the result is parsed back and compared before it is used.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Array, Item

from baton.config._files import parse_json, parse_toml
from baton.config._tomltext import Statement, key_line, statements
from baton.errors import BatonError, ConfigError

__all__ = ["Merged", "merge_json", "merge_toml", "render_table"]

Entries = Mapping[str, dict[str, Any]]
_LONG_ARRAY = 80  # characters; longer arrays are written one item a line, as Codex's docs do


@dataclass
class Merged:
    """The new file text, which entries went in and which were left out (name -> reason)."""

    text: str
    written: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def merge_toml(text: str, path: Path, prefix: str, entries: Entries, *, force: bool) -> Merged:
    """`text` with each entry as `[prefix.NAME]`; an existing NAME is kept unless `force`."""
    before = parse_toml(text, path)
    existing = before.get(prefix, {})
    if not isinstance(existing, dict):
        line = key_line(text, (prefix,))
        raise ConfigError(f"`{prefix}` is not a table", file=str(path), key=prefix, line=line)
    merged = _choose(entries, existing, path, force)
    chosen = {name: entries[name] for name in merged.written}
    if not chosen:
        merged.text = text
        return merged
    for candidate in (_splice(text, prefix, chosen), _with_tomlkit(text, prefix, chosen)):
        if candidate is not None and _same_but(before, candidate, prefix, chosen):
            merged.text = candidate
            return merged
    raise BatonError(
        f"could not add {', '.join(chosen)} to {path} without changing other settings",
        hint=f"add the [{prefix}.NAME] tables by hand; the file was not modified",
    )


def merge_json(text: str, path: Path, key: str, entries: Entries, *, force: bool) -> Merged:
    """`text` with each entry under the object `key`; other keys and their order are kept."""
    data = parse_json(text, path) if text.strip() else {}
    existing = data.setdefault(key, {})
    if not isinstance(existing, dict):
        raise ConfigError(f"`{key}` is not an object", file=str(path), key=key)
    merged = _choose(entries, existing, path, force)
    for name in merged.written:
        existing[name] = entries[name]
    merged.text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return merged


def render_table(prefix: str, name: str, entry: Mapping[str, Any]) -> str:
    """`[prefix.name]` and its keys as TOML text, arrays broken over lines when long."""
    table = tomlkit.table()
    for key, value in entry.items():
        table.add(key, _item(value))
    outer = tomlkit.table(is_super_table=True)
    outer.add(name, table)
    document = tomlkit.document()
    document.add(prefix, outer)
    return document.as_string().lstrip("\n")


def _choose(entries: Entries, existing: Mapping[str, Any], path: Path, force: bool) -> Merged:
    merged = Merged(text="")
    for name in entries:
        if name in existing and not force:
            merged.skipped[name] = f"already in {path} (use --force to replace it)"
        else:
            merged.written.append(name)
    return merged


def _item(value: Any) -> Item:
    if isinstance(value, dict):
        table = tomlkit.inline_table()
        table.update(value)
        return table
    item: Item = tomlkit.item(value)
    if isinstance(item, Array) and len(item.as_string()) > _LONG_ARRAY:
        item.multiline(True)
    return item


def _splice(text: str, prefix: str, chosen: Entries) -> str | None:
    """Edit the text directly; None when the entries are not all plain `[prefix.NAME]` tables."""
    found = statements(text)
    owners = _owners(found, prefix)
    if owners is None:
        return None
    spans: dict[str, tuple[int, int]] = {}
    for name in dict.fromkeys(o for o in owners if o is not None):
        indexes = [i for i, owner in enumerate(owners) if owner == name]
        if indexes != list(range(indexes[0], indexes[-1] + 1)):
            return None  # the table is split around other tables
        spans[name] = (found[indexes[0]].start, found[indexes[-1]].end)
    at = max((end for _, end in spans.values()), default=len(text))
    added = "".join("\n" + render_table(prefix, n, e) for n, e in chosen.items() if n not in spans)
    if added and (at == 0 or text[at - 1] != "\n"):
        added = added[1:] if at == 0 else "\n" + added
    edits = [(*spans[n], render_table(prefix, n, e)) for n, e in chosen.items() if n in spans]
    for start, end, new in sorted([*edits, (at, at, added)], reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _owners(found: list[Statement], prefix: str) -> list[str | None] | None:
    """For each statement, the entry NAME whose `[prefix.NAME]` table it is in (None: outside)."""
    owners: list[str | None] = []
    table: str | None = None
    for statement in found:
        path = statement.path
        if statement.kind != "key":
            inside = len(path) >= 2 and path[0] == prefix and isinstance(path[1], str)
            table = str(path[1]) if inside else None
        elif table is None and path[0] == prefix:
            return None  # entries written as keys, not tables
        owners.append(table)
    return owners


def _with_tomlkit(text: str, prefix: str, chosen: Entries) -> str:
    document = tomlkit.parse(text)
    if prefix not in document:
        document.add(prefix, tomlkit.table(is_super_table=True))
    container: Any = document[prefix]
    for name, entry in chosen.items():
        table = tomlkit.table()
        for key, value in entry.items():
            table.add(key, _item(value))
        container[name] = table
    return document.as_string()


def _same_but(before: dict[str, Any], text: str, prefix: str, chosen: Entries) -> bool:
    """Whether `text` holds exactly `before` with the chosen entries set."""
    try:
        after = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    expected = {**before, prefix: {**before.get(prefix, {}), **chosen}}
    return after == expected
