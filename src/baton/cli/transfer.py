"""`baton import codex|claude` and `baton export codex|claude`: move MCP server entries around."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from baton.cli._app import ConfigOption, JsonOption, app, die, emit, stderr, stdout
from baton.errors import BatonError

if TYPE_CHECKING:
    from baton.config import TransferReport

__all__ = ["export_app", "import_app"]

import_app = typer.Typer(
    help="Copy MCP server entries from Codex or Claude Code into baton.toml.",
    no_args_is_help=True,
)
export_app = typer.Typer(
    help="Write Baton's servers, or one entry for the Baton gateway, into Codex or Claude Code.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")


class EntriesChoice(StrEnum):
    """The `--entries` values (mirrors `baton.config.Entries`, kept here so --help stays light)."""

    servers = "servers"
    gateway = "gateway"
    both = "both"


SourceArgument = Annotated[
    Path | None, typer.Argument(help="File to read.", dir_okay=False, show_default=False)
]
TargetArgument = Annotated[
    Path | None, typer.Argument(help="File to write.", dir_okay=False, show_default=False)
]
IntoOption = Annotated[
    Path | None,
    typer.Option(
        "--into",
        help="baton.toml to write (default: the nearest, else ./baton.toml).",
        dir_okay=False,
    ),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace an entry of the same name instead of skipping it.")
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Print the file that would be written; change nothing.")
]
EntriesOption = Annotated[
    EntriesChoice | None,
    typer.Option(
        "--entries", help="servers, gateway or both (default: codex servers, claude gateway)."
    ),
]
CommandOption = Annotated[
    str | None, typer.Option("--command", help="Command that starts Baton (default: this baton).")
]


@import_app.command("codex")
def import_codex_command(
    path: SourceArgument = None,
    into: IntoOption = None,
    force: ForceOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Import Codex's mcp_servers (default: $CODEX_HOME/config.toml, else ~/.codex/config.toml)."""
    from baton.config import default_codex_path, import_codex

    source = path or default_codex_path()
    _run(lambda: import_codex(source, into or _baton_toml(), force=force, dry_run=dry_run), as_json)


@import_app.command("claude")
def import_claude_command(
    path: SourceArgument = None,
    into: IntoOption = None,
    force: ForceOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Import Claude Code's mcpServers (default: ./.mcp.json)."""
    from baton.config import default_claude_path, import_claude

    source = path or default_claude_path()
    _run(
        lambda: import_claude(source, into or _baton_toml(), force=force, dry_run=dry_run), as_json
    )


@export_app.command("codex")
def export_codex_command(
    path: TargetArgument = None,
    entries: EntriesOption = None,
    command: CommandOption = None,
    config: ConfigOption = None,
    force: ForceOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Export to Codex's config.toml (default: $CODEX_HOME/config.toml or ~/.codex/config.toml)."""
    from baton.config import Entries, default_codex_path, export_codex, load_config

    def export() -> TransferReport:
        loaded = load_config(config_path=config)
        choice = Entries(entries.value) if entries else Entries.SERVERS
        target = path or default_codex_path()
        return export_codex(
            loaded, target, entries=choice, command=command, force=force, dry_run=dry_run
        )

    _run(export, as_json)


@export_app.command("claude")
def export_claude_command(
    path: TargetArgument = None,
    entries: EntriesOption = None,
    command: CommandOption = None,
    config: ConfigOption = None,
    force: ForceOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Export to Claude Code's .mcp.json (default: ./.mcp.json)."""
    from baton.config import Entries, default_claude_path, export_claude, load_config

    def export() -> TransferReport:
        loaded = load_config(config_path=config)
        choice = Entries(entries.value) if entries else Entries.GATEWAY
        target = path or default_claude_path()
        return export_claude(
            loaded, target, entries=choice, command=command, force=force, dry_run=dry_run
        )

    _run(export, as_json)


def _baton_toml() -> Path:
    from baton.config import PROJECT_FILE_NAME, find_project_file

    return find_project_file() or Path.cwd() / PROJECT_FILE_NAME


def _run(transfer: Callable[[], TransferReport], as_json: bool) -> None:
    try:
        report = transfer()
    except BatonError as error:
        die(error)
    emit(report.to_json(), as_json, lambda _: _render(report))


def _render(report: TransferReport) -> None:
    """The report for a person: the file text on stdout for a dry run, a summary otherwise."""
    summary = stderr if report.dry_run else stdout
    if report.dry_run:
        sys.stdout.write(report.text)
        sys.stdout.flush()
    done = f"{report.action}ed"
    verb = f"would be {done}" if report.dry_run else done
    names = ", ".join(report.written) or "nothing"
    summary.print(
        f"{verb}: {escape(names)} -> {escape(str(report.file))}", highlight=False, soft_wrap=True
    )
    for name, reason in report.skipped.items():
        summary.print(f"skipped {escape(name)}: {escape(reason)}", highlight=False, soft_wrap=True)
    for warning in report.warnings:
        stderr.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
