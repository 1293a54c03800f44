"""`baton route TASK`: who would do a task — lead, worker, or split it first — and why."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from baton.cli._app import ConfigOption, JsonOption, TaskArgument, app, die, emit, stdout
from baton.errors import BatonError

if TYPE_CHECKING:
    from baton.routing import Decision

__all__ = ["route_command"]


_COLOURS = {"lead": "yellow", "worker": "green", "split": "cyan"}


def _decide(task_path: Path, config_path: Path | None) -> Decision:
    import sys

    from baton.config.loading import load_config
    from baton.routing import route
    from baton.task import load_task, parse_task

    config = load_config(config_path=config_path)
    if str(task_path) == "-":
        task = parse_task(sys.stdin.read(), source="<stdin>")
    else:
        task = load_task(task_path)
    return route(task, config.routing, config.policy)


def _render(data: dict[str, Any]) -> None:
    colour = _COLOURS[data["route"]]
    stdout.print(f"[bold {colour}]{data['route']}[/] (rule: {data['rule']})", highlight=False)
    for reason in data["reasons"]:
        stdout.print(f"  {escape(reason)}", highlight=False)
    if data["route"] == "worker":
        worker = data["worker"] or "the default worker"
        stdout.print(f"  worker: {escape(worker)}, sandbox: {data['sandbox']}", highlight=False)
    stdout.print("[dim]trace:[/]")
    for check in data["trace"]:
        mark = "[bold]fired [/]" if check["fired"] else "[dim]passed[/]"
        stdout.print(f"  {check['rule']:<20} {mark}  {escape(check['detail'])}", highlight=False)


@app.command("route")
def route_command(
    task_path: TaskArgument, as_json: JsonOption = False, config_path: ConfigOption = None
) -> None:
    """Decide who does a task (lead, worker, or split it first) and say which rule and why."""
    try:
        decision = _decide(task_path, config_path)
    except BatonError as error:
        die(error)
    emit(decision.to_dict(), as_json, _render)
