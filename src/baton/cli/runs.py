"""`baton runs` and `baton runs show RUN`: the delegation history recorded in the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from baton.cli._app import ConfigOption, JsonOption, app, die, emit, stdout
from baton.errors import BatonError

if TYPE_CHECKING:
    from baton.ledger import SqliteLedger

__all__ = ["runs_app"]

runs_app = typer.Typer(
    help="List the recorded delegation runs, or show one in full.",
    invoke_without_command=True,
)
app.add_typer(runs_app, name="runs")

_COLOURS = {"passed": "green", "needs_fix": "yellow", "fallback": "yellow", "blocked": "red"}


def _open(config_path: Path | None) -> SqliteLedger | None:
    """The project's ledger read-only, or None when no run was ever recorded."""
    from baton.config.loading import load_config
    from baton.ledger import ledger_path, open_ledger

    try:
        config = load_config(config_path=config_path)
        if not ledger_path(config).is_file():
            return None
        return open_ledger(config, read_only=True)
    except BatonError as error:
        die(error)


def _render_list(rows: list[dict[str, Any]]) -> None:
    if not rows:
        stdout.print("no runs recorded yet")
        return
    table = Table()
    table.add_column("run", no_wrap=True)
    for title in ("started", "kind", "route", "worker", "verdict", "attempts", "ms"):
        table.add_column(title)
    for row in rows:
        verdict = row["verdict"] or "running"
        colour = _COLOURS.get(verdict, "default")
        applied = ", applied" if row.get("applied_at") else ""
        cells = (row["id"], row["started_at"], row["kind"], row["route"], row["worker"])
        table.add_row(
            *(escape(str(cell or "-")) for cell in cells),
            f"[{colour}]{escape(verdict)}[/]{applied}",
            str(row["attempts"]),
            str(row["duration_ms"] if row["duration_ms"] is not None else "-"),
        )
    stdout.print(table)


def _render_run(run: dict[str, Any]) -> None:
    stdout.print(f"[bold]{run['id']}[/] {escape(run['verdict'] or 'running')}", highlight=False)
    keys = ("started_at", "finished_at", "applied_at", "kind", "route", "worker", "model")
    for key in (*keys, "thread_id"):
        stdout.print(f"  {key:<12} {escape(str(run[key] or '-'))}", highlight=False)
    stdout.print(f"  {'goal':<12} {escape(str(run['task'].get('goal', '-')))}", highlight=False)
    for attempt in run["attempt_records"]:
        line = f"attempt {attempt['number']}: {attempt['verdict'] or 'running'}"
        stdout.print(escape(line), highlight=False)
        for finding in attempt["findings"]:
            where = f" {finding['path']}" if finding["path"] else ""
            text = f"  {finding['stage']}/{finding['rule']}{where}: {finding['message']}"
            stdout.print(escape(text), highlight=False)
        for gate in attempt["gates"]:
            text = f"  gate {gate['name']}: {gate['status']} ({gate['duration_ms']} ms)"
            stdout.print(escape(text), highlight=False)


@runs_app.callback()
def runs_command(
    context: typer.Context,
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most N runs.")] = 50,
    worker: Annotated[str | None, typer.Option("--worker", help="Only this worker's.")] = None,
    verdict: Annotated[
        str | None, typer.Option("--verdict", help="Only runs with this verdict.")
    ] = None,
    config_path: ConfigOption = None,
) -> None:
    """List the recorded runs, newest first (`baton runs show RUN` for one in full)."""
    if context.invoked_subcommand is not None:
        return
    ledger = _open(config_path)
    try:
        runs = ledger.list_runs(limit=limit, worker=worker, verdict=verdict) if ledger else []
    except BatonError as error:
        die(error)
    emit([run.to_dict() for run in runs], as_json, _render_list)


@runs_app.command("show")
def show_command(
    run_id: Annotated[str, typer.Argument(help="The run's id, or enough of its start.")],
    as_json: JsonOption = False,
    config_path: ConfigOption = None,
) -> None:
    """Show one run: task, routing, attempts, findings and gate results."""
    from baton.ledger import LedgerError

    ledger = _open(config_path)
    try:
        if ledger is None:
            raise LedgerError(f"no run {run_id!r}: no ledger recorded in this project yet")
        run = ledger.get_run(ledger.find_run(run_id))
    except BatonError as error:
        die(error)
    emit(run.to_dict(), as_json, _render_run)
