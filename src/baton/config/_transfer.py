"""What imports and exports share: the collected entries, the report, the write and the gateway."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from baton.config._files import atomic_write, read_text
from baton.config._headers import literal_bearer, literal_secrets
from baton.config._splice import merge_json, merge_toml
from baton.config._validate import dotted
from baton.config.schema import BatonConfig, ServerConfig

__all__ = [
    "GATEWAY_NAME",
    "Collected",
    "Entries",
    "TransferReport",
    "collect_servers",
    "gateway_command",
    "warn_dropped",
    "write_entries",
]

GATEWAY_NAME = "baton"


class Entries(StrEnum):
    """Which entries an export writes."""

    SERVERS = "servers"
    GATEWAY = "gateway"
    BOTH = "both"


@dataclass
class Collected:
    """Entries converted for the target format, and what was left out or worth a warning."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    private: bool = False  # values from the environment went in: a new file is made 0600

    def add_server(self, name: str, entry: dict[str, Any]) -> None:
        """Keep an imported entry if Baton's schema accepts it; warn about literal secrets."""
        try:
            ServerConfig.model_validate(entry)
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            key = dotted(tuple(p for p in first["loc"] if isinstance(p, str | int)))
            reason = first["msg"].removeprefix("Value error, ")
            self.skipped[name] = f"{key}: {reason}" if key else reason
            return
        self.entries[name] = entry
        places = [
            f"{table}.{key}"
            for table in ("env", "http_headers")
            for key in literal_secrets(entry.get(table, {}))
        ]
        if literal_bearer(entry.get("args", [])):
            places.append("args")
        for place in places:
            self.warnings.append(
                f"{name}: {place} holds a literal value that looks like a secret; "
                "move it to an environment variable and write ${VAR} there instead"
            )


@dataclass
class TransferReport:
    """What an import or export wrote (or, with `dry_run`, would write) to `file`."""

    action: Literal["import", "export"]
    file: Path
    written: list[str]
    skipped: dict[str, str]
    warnings: list[str]
    dry_run: bool
    text: str

    def to_json(self) -> dict[str, Any]:
        """The `--json` shape: imported/exported, skipped, warnings, file (+ content on dry run)."""
        data: dict[str, Any] = {
            f"{self.action}ed": self.written,
            "skipped": [{"name": n, "reason": r} for n, r in self.skipped.items()],
            "warnings": self.warnings,
            "file": str(self.file),
            "dry_run": self.dry_run,
        }
        if self.dry_run:
            data["content"] = self.text
        return data


def write_entries(
    action: Literal["import", "export"],
    target: Path,
    collected: Collected,
    *,
    key: str,
    force: bool,
    dry_run: bool,
    fmt: Literal["toml", "json"] = "toml",
) -> TransferReport:
    """Merge the entries into `target` (TOML table or JSON object `key`) and write it atomically."""
    text = read_text(target, what="config") if target.exists() else ""
    merge = merge_json if fmt == "json" else merge_toml
    merged = merge(text, target, key, collected.entries, force=force)
    if merged.written and not dry_run:
        atomic_write(target, merged.text, private=collected.private)
    skipped = {**collected.skipped, **merged.skipped}
    return TransferReport(
        action, target, merged.written, skipped, collected.warnings, dry_run, merged.text
    )


def collect_servers(
    config: BatonConfig,
    entries: Entries,
    convert: Callable[[str, ServerConfig, Collected], dict[str, Any]],
    gateway: Callable[[], dict[str, Any]],
) -> Collected:
    """Convert the enabled servers and/or the gateway entry, as `entries` asks."""
    collected = Collected()
    if entries is not Entries.GATEWAY:
        for name, server in config.servers.items():
            if not server.enabled:
                collected.skipped[name] = "disabled in baton.toml"
            elif name == GATEWAY_NAME and entries is Entries.BOTH:
                collected.skipped[name] = f"the name '{name}' is taken by the gateway entry"
            else:
                collected.entries[name] = convert(name, server, collected)
    if entries is not Entries.SERVERS:
        collected.entries[GATEWAY_NAME] = gateway()
    return collected


def gateway_command(project_file: Path | None, override: str | None) -> tuple[str, list[str]]:
    """The command and args that start `baton serve` for this project."""
    if override:
        command, *args = shlex.split(override)
    elif found := shutil.which("baton"):
        command, args = os.path.abspath(found), []
    else:
        command, args = sys.executable, ["-m", "baton"]
    args.append("serve")
    if project_file:
        args += ["--config", str(project_file.resolve())]
    return command, args


def warn_dropped(collected: Collected, name: str, keys: Mapping[str, bool], target: str) -> None:
    """Warn about the settings of `name` that `target` has no place for."""
    dropped = [key for key, present in keys.items() if present]
    if dropped:
        collected.warnings.append(
            f"{name}: {target} has no equivalent of {', '.join(dropped)}; left out "
            "(export the gateway with --entries gateway to keep them in force)"
        )
