"""The typer application every command module registers on, and the shared output helpers."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from baton.errors import BatonError

__all__ = [
    "ConfigOption",
    "JsonOption",
    "TaskArgument",
    "app",
    "die",
    "emit",
    "stderr",
    "stdout",
]

app = typer.Typer(
    name="baton",
    help="Delegate work from a lead agent to a worker agent through one MCP gateway.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

stdout = Console()
stderr = Console(stderr=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Project baton.toml (default: the nearest one above the current directory).",
        dir_okay=False,
    ),
]


TaskArgument = Annotated[
    Path,
    typer.Argument(
        help="The task: Markdown (the [Task] template), TOML or JSON; `-` reads stdin.",
        show_default=False,
        allow_dash=True,
    ),
]


def _version(value: bool) -> None:
    if value:
        from baton import __version__

        stdout.print(f"baton {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Delegate work from a lead agent to a worker agent through one MCP gateway."""


def emit(data: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    """Print `data` as JSON on stdout when asked, otherwise render it for a person."""
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    else:
        render(data)


def die(error: BatonError) -> NoReturn:
    """Report a Baton error on stderr and exit with its code."""
    # Messages name keys like `[servers.github]`: escape them so rich does not read them as markup.
    stderr.print(f"[bold red]error:[/] {escape(error.message)}", highlight=False, soft_wrap=True)
    if error.hint:
        stderr.print(f"  [yellow]hint:[/] {escape(error.hint)}", highlight=False, soft_wrap=True)
    raise typer.Exit(error.exit_code)
