"""`baton export claude-settings` and `baton export codex-config`: the policy, written out."""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from baton.cli._app import ConfigOption, JsonOption, die, emit, stdout
from baton.cli.transfer import export_app
from baton.errors import BatonError

__all__ = ["export_claude_settings", "export_codex_config", "export_instructions"]

DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print the result; write nothing.")]


def hook_command() -> str:
    """How Claude Code should start `baton hook` from this installation."""
    if found := shutil.which("baton"):
        return f"{shlex.quote(str(Path(found).resolve()))} hook"
    return f"{shlex.quote(sys.executable)} -m baton hook"


def _write(path: Path, text: str, dry_run: bool, added: list[str], as_json: bool) -> None:
    from baton.config._files import atomic_write

    if not dry_run:
        atomic_write(path, text)
    report = {
        "file": str(path),
        "dry_run": dry_run,
        "added": added,
        "content": text if dry_run else None,
    }

    def render(_: Any) -> None:
        if dry_run:
            sys.stdout.write(text)
        verb = "would add" if dry_run else "added"
        stdout.print(f"{verb} {len(added)} entries -> {path}", highlight=False, soft_wrap=True)

    emit(report, as_json, render)


@export_app.command("claude-settings")
def export_claude_settings(
    path: Annotated[
        Path | None, typer.Argument(help="Default: .claude/settings.json of the project.")
    ] = None,
    command: Annotated[str | None, typer.Option("--command", help="Hook command to write.")] = None,
    config: ConfigOption = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Write the policy's deny rules and the `baton hook` entry into Claude Code settings."""
    from baton.config import load_config, project_root
    from baton.config._files import parse_json, read_text
    from baton.policy.exports import claude_settings, merge_claude_settings

    try:
        loaded = load_config(config_path=config)
        target = path or project_root(loaded) / ".claude" / "settings.json"
        existing = (
            parse_json(read_text(target, what="Claude settings"), target) if target.exists() else {}
        )
        ours = claude_settings(loaded.policy, command or hook_command())
        merged, added = merge_claude_settings(existing, ours)
    except BatonError as error:
        die(error)
    _write(target, json.dumps(merged, indent=2) + "\n", dry_run, added, as_json)


@export_app.command("codex-config")
def export_codex_config(
    path: Annotated[Path | None, typer.Argument(help="Default: $CODEX_HOME/config.toml.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace values already set.")] = False,
    config: ConfigOption = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Write safe sandbox and approval defaults into Codex's config.toml (comments kept)."""
    import tomlkit

    from baton.config import default_codex_path, load_config
    from baton.config._files import read_text
    from baton.policy.exports import codex_config

    try:
        loaded = load_config(config_path=config)
        target = path or default_codex_path()
        document = tomlkit.parse(read_text(target, what="Codex config") if target.exists() else "")
    except BatonError as error:
        die(error)
    added = []
    for key, value in codex_config(loaded.policy).items():
        if force or key not in document:
            document[key] = value
            added.append(key)
    _write(target, tomlkit.dumps(document), dry_run, added, as_json)


@export_app.command("instructions")
def export_instructions(
    task: Annotated[
        Path | None, typer.Option("--task", help="Render for this task (Markdown, TOML or JSON).")
    ] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the developer-instructions every worker call carries, rendered from the policy."""
    from baton.config import load_config
    from baton.policy.instructions import render_instructions
    from baton.task import load_task

    try:
        loaded = load_config(config_path=config)
        text = render_instructions(loaded.policy, load_task(task) if task else None)
    except BatonError as error:
        die(error)
    emit({"instructions": text}, as_json, lambda _: stdout.print(text, markup=False, end=""))
