"""`baton gates [PATH]`: a project's quality gates, configured or detected; `--run` runs them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from baton.cli._app import ConfigOption, JsonOption, app, die, emit, stdout
from baton.errors import BatonError

if TYPE_CHECKING:
    from baton.audit import GateOutcome
    from baton.delegation.gates import Gate

__all__ = ["gates_command"]

PathArgument = Annotated[
    Path,
    typer.Argument(
        help="The project's directory (default: the current one).",
        exists=True,
        file_okay=False,
        show_default=False,
        metavar="PATH",
    ),
]
RunOption = Annotated[
    bool, typer.Option("--run", help="Run the gates in PATH and report each outcome.")
]

_COLOURS = {"passed": "green", "skipped": "yellow"}


def _project_gates(root: Path, config_path: Path | None) -> list[Gate]:
    from baton.config.loading import load_config
    from baton.delegation.gates import gates_for

    try:
        config = load_config(root, config_path=config_path)
    except BatonError as error:
        die(error)
    return gates_for(config.gates, root)


def _gate_row(gate: Gate, root: Path) -> dict[str, Any]:
    from baton.delegation.gates import tool_found

    return {
        "name": gate.name,
        "command": gate.command,
        "stage": gate.stage,
        "source": gate.source,
        "read_only": gate.read_only,
        "requires": gate.requires,
        "tool_present": tool_found(gate, root),
    }


def _outcome_row(outcome: GateOutcome) -> dict[str, Any]:
    return {
        "status": outcome.status,
        "duration_ms": outcome.duration_ms,
        "exit_code": outcome.exit_code,
        "output_tail": outcome.output_tail,
    }


def _render_list(data: dict[str, Any]) -> None:
    if not data["gates"]:
        where = escape(data["path"])
        stdout.print(f"no gates for {where}: none in baton.toml \\[gates], none detected")
        return
    table = Table(title=escape(data["path"]), title_justify="left")
    for title in ("gate", "command", "source", "tool"):
        table.add_column(title)
    for gate in data["gates"]:
        present = gate["tool_present"]
        tool = (
            "-" if present is None else f"{gate['requires']} " + ("found" if present else "missing")
        )
        style = "red" if present is False else "default"
        cells = (gate["name"], gate["command"], gate["source"])
        table.add_row(*(escape(cell) for cell in cells), f"[{style}]{escape(tool)}[/]")
    stdout.print(table)


def _render_failures(data: dict[str, Any]) -> None:
    """After the live progress lines: the tail of each gate that did not pass."""
    for gate in data["gates"]:
        outcome = gate["outcome"]
        if outcome["status"] in ("passed", "skipped") or not outcome["output_tail"]:
            continue
        stdout.print(f"[bold red]── {escape(gate['name'])}: {outcome['status']} ──[/]")
        stdout.print(escape(outcome["output_tail"]), highlight=False)
    statuses = [gate["outcome"]["status"] for gate in data["gates"]]
    counts = ", ".join(f"{statuses.count(s)} {s}" for s in dict.fromkeys(statuses))
    colour = "green" if data["passed"] else "red"
    stdout.print(f"[{colour}]{'passed' if data['passed'] else 'failed'}[/]: {counts or 'no gates'}")


async def _progress(line: str) -> None:
    status = line.split(": ", 1)[1].split(" ", 1)[0]
    stdout.print(f"[{_COLOURS.get(status, 'red')}]{escape(line)}[/]", highlight=False)


def _run(gates: list[Gate], root: Path, as_json: bool) -> list[GateOutcome]:
    import anyio

    from baton.delegation.gates import run_gates

    async def run() -> list[GateOutcome]:
        return await run_gates(gates, root, on_progress=None if as_json else _progress)

    return anyio.run(run)


@app.command("gates")
def gates_command(
    path: PathArgument = Path("."),
    run: RunOption = False,
    as_json: JsonOption = False,
    config_path: ConfigOption = None,
) -> None:
    """List a project's quality gates (from baton.toml, else detected); `--run` runs them."""
    root = path.resolve()
    gates = _project_gates(root, config_path)
    data: dict[str, Any] = {"path": str(root), "gates": [_gate_row(gate, root) for gate in gates]}
    if not run:
        emit(data, as_json, _render_list)
        return
    outcomes = _run(gates, root, as_json)
    for row, outcome in zip(data["gates"], outcomes, strict=True):
        row["outcome"] = _outcome_row(outcome)
    data["passed"] = not any(outcome.failed for outcome in outcomes)
    emit(data, as_json, _render_failures)
    raise typer.Exit(0 if data["passed"] else 1)
