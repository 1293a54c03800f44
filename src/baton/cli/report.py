"""`baton report`: the seed's E2E table over the recorded runs, as tables, JSON or one HTML page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from baton.cli._app import ConfigOption, JsonOption, app, die, emit, stderr, stdout
from baton.errors import BatonError, UsageError

if TYPE_CHECKING:
    from baton.config import BatonConfig
    from baton.ledger import RunRecord

__all__ = ["report_command"]

_WINDOW_HELP = "7d, 24h, 30m back from now, or an ISO date/time (UTC unless it has an offset)"


@app.command("report")
def report_command(
    as_json: JsonOption = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Also write the report as one self-contained HTML page (with charts) to FILE.",
            dir_okay=False,
            metavar="FILE",
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help=f"Only runs started since: {_WINDOW_HELP}.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help=f"Only runs started before: {_WINDOW_HELP}.")
    ] = None,
    config_path: ConfigOption = None,
) -> None:
    """Gate pass rate, fallback rate, mean retries and completion against their targets.

    Exit 0 when every overall target is met (or has nothing to count yet), 1 when one is missed.
    """
    from baton.config.loading import load_config
    from baton.ledger import ledger_path
    from baton.report import build_report, render_html, render_table, window

    now = datetime.now(UTC)
    try:
        start, end = window(since, until, now=now)
        config = load_config(config_path=config_path)
        runs = _runs(config, start, end)
        report = build_report(runs or [], config.report, since=start, until=end, now=now)
        if html is not None:
            _write_page(html, render_html(report))
    except BatonError as error:
        die(error)
    if runs is None and not as_json:
        stdout.print(
            f"no delegations recorded yet in {escape(str(ledger_path(config)))}; run "
            "`baton delegate TASK` (or let the lead call the `delegate` tool) to record some",
            highlight=False,
            soft_wrap=True,
        )
    else:
        emit(report.to_dict(), as_json, lambda _: stdout.print(render_table(report)))
    if html is not None and not as_json:
        stdout.print(f"report page written to {escape(str(html))}", highlight=False)
    if report.missed:  # a missed target is a negative verdict: CI can gate on it
        stderr.print(f"targets missed: {', '.join(report.missed)}", highlight=False)
        raise typer.Exit(1)


def _runs(config: BatonConfig, since: str | None, until: str | None) -> list[RunRecord] | None:
    """The runs in the window, read-only; None when no ledger exists (it is never created here)."""
    from baton.ledger import ledger_path, open_ledger

    if not ledger_path(config).is_file():
        return None
    ledger = open_ledger(config, read_only=True)
    try:
        return ledger.run_records(since, until)
    finally:
        ledger.close()


def _write_page(path: Path, page: str) -> None:
    """Replace `path` with the page in one rename: a reader never sees half of it."""
    from baton.config._files import atomic_write

    try:
        atomic_write(path, page)
    except OSError as exc:
        raise UsageError(
            f"cannot write the report page {path}: {exc.strerror or exc}",
            hint="give --html a file in a writable directory",
        ) from exc
