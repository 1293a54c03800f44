"""`baton delegate TASK`, `baton reply RUN MESSAGE`, `baton apply RUN`: the pipeline without a lead.

The seed's "CLI in CI": the same pipeline the gateway's `delegate` tool runs, progress on stderr,
the result on stdout; exit 0 when the run passed, 1 for any other verdict, 2 for bad input.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import anyio
import typer
from rich.console import Console
from rich.markup import escape

from baton.cli._app import ConfigOption, JsonOption, TaskArgument, app, die, emit, stdout
from baton.errors import BatonError

if TYPE_CHECKING:
    from baton.delegation.pipeline import Pipeline
    from baton.delegation.result import DelegationResult

__all__ = ["apply_command", "delegate_command", "reply_command"]

WorkerOption = Annotated[
    str | None, typer.Option("--worker", "-w", help="The [workers.NAME] to delegate to.")
]
KeepOption = Annotated[
    bool, typer.Option("--keep", help="Keep the isolated workspace afterwards (to inspect it).")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")]
_COLOURS = {"passed": "green", "needs_fix": "yellow", "fallback": "yellow", "lead": "cyan"}
T = TypeVar("T")


def _on_pipeline(
    config_path: Path | None, keep: bool, work: Callable[[Pipeline], Awaitable[T]]
) -> T:
    """Run `work` on the project's pipeline; its ledger is closed afterwards."""
    from baton.config.loading import load_config, project_root
    from baton.delegation.pipeline import Pipeline
    from baton.ledger import open_ledger
    from baton.upstream.tool_worker import mcp_tool_adapters

    config = load_config(config_path=config_path)
    ledger = open_ledger(config)
    adapters = mcp_tool_adapters(config.servers)
    pipeline = Pipeline(config, project_root(config), ledger, keep=keep, adapters=adapters)
    try:
        return anyio.run(work, pipeline)
    finally:
        ledger.close()


class _ProgressConsole(Console):
    """Progress on stderr that falls silent when its reader has gone, where rich would exit.

    A detached run (`baton.gateway.detached`) loses its reader when the lead leaves; it must
    carry on to its verdict and the ledger.
    """

    def on_broken_pipe(self) -> None:
        self.quiet = True


_progress_console = _ProgressConsole(stderr=True)


def _progress(quiet: bool) -> Any:
    async def show(message: str) -> None:
        _progress_console.print(f"[dim]… {escape(message)}[/]", highlight=False, soft_wrap=True)

    return None if quiet else show


def _render(data: dict[str, Any]) -> None:
    colour = _COLOURS.get(data["verdict"], "red")
    stdout.print(f"[bold {colour}]{data['verdict']}[/]  run {data['run_id']}", highlight=False)
    route = data["route"]
    stdout.print(f"  route: {route['route']} ({route['rule']})", highlight=False)
    for attempt in data["attempts"]:
        stdout.print(f"  attempt {attempt['number']}: {attempt['outcome']}", highlight=False)
        for finding in attempt["findings"]:
            where = f" {finding['path']}" if finding["path"] else ""
            text = f"    {finding['stage']}/{finding['rule']}{where}: {finding['message']}"
            stdout.print(escape(text), highlight=False)
        for gate in attempt["gates"]:
            stdout.print(f"    gate {gate['name']}: {gate['status']}", highlight=False)
            if "output_tail" in gate:
                stdout.print(escape(_indent(gate["output_tail"])), highlight=False)
    if stat := data["diff_stat"]:
        line = f"  diff: {stat['files_changed']} files, +{stat['added']} -{stat['removed']}"
        stdout.print(line, highlight=False)
    for item in data["unchecked_criteria"]:
        stdout.print(f"  unchecked: {escape(item['criterion'])}", highlight=False)
    if data.get("error"):
        stdout.print(f"  error: {escape(data['error'])}", highlight=False)
    if data.get("apply_error"):
        stdout.print(f"  not applied: {escape(data['apply_error'])}", highlight=False)
    stdout.print(f"  next: {escape(data['next_step'])}", highlight=False)


def _indent(text: str) -> str:
    return "\n".join(f"      {line}" for line in text.strip().splitlines()[-15:])


def _finish(result: DelegationResult, as_json: bool) -> None:
    try:
        emit(result.to_dict(), as_json, _render)
        sys.stdout.flush()
    except BrokenPipeError:
        # Nobody reads the result any more (it is in the ledger): point stdout at /dev/null so
        # the interpreter's last flush does not fail too, and end with the verdict's code.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise typer.Exit(result.exit_code)


@app.command("delegate")
def delegate_command(
    task_path: TaskArgument,
    worker: WorkerOption = None,
    keep: KeepOption = False,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
    config_path: ConfigOption = None,
) -> None:
    """Run a task through the whole pipeline: route, worker, review, gates, verdict."""
    from baton.task import load_task, parse_task

    try:
        if str(task_path) == "-":
            task = parse_task(sys.stdin.read(), source="<stdin>")
        else:
            task = load_task(task_path)
        result = _on_pipeline(
            config_path,
            keep,
            lambda pipeline: pipeline.delegate(task, worker=worker, on_progress=_progress(quiet)),
        )
    except BatonError as error:
        die(error)
    _finish(result, as_json)


@app.command("reply")
def reply_command(
    run_id: Annotated[str, typer.Argument(help="The run to continue (an id or its prefix).")],
    message: Annotated[str, typer.Argument(help="What to tell the worker.")],
    keep: KeepOption = False,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
    config_path: ConfigOption = None,
) -> None:
    """Continue a run's worker thread with a message; reviewed like a new run."""
    try:
        result = _on_pipeline(
            config_path,
            keep,
            lambda pipeline: pipeline.reply(run_id, message, on_progress=_progress(quiet)),
        )
    except BatonError as error:
        die(error)
    _finish(result, as_json)


@app.command("apply")
def apply_command(
    run_id: Annotated[str, typer.Argument(help="The run whose diff to apply (id or prefix).")],
    force: Annotated[
        bool, typer.Option("--force", help="Also apply a needs_fix run (gates failed).")
    ] = False,
    as_json: JsonOption = False,
    config_path: ConfigOption = None,
) -> None:
    """Apply a passed run's diff to your tree: all or nothing, refused if its files moved."""
    try:
        applied = _on_pipeline(
            config_path, False, lambda pipeline: pipeline.apply(run_id, force=force)
        )
    except BatonError as error:
        die(error)
    data = {"files": list(applied.files), "added": applied.added, "removed": applied.removed}

    def render(data: dict[str, Any]) -> None:
        stdout.print(f"[green]applied[/] {len(data['files'])} files", highlight=False)
        for path in data["files"]:
            stdout.print(f"  {escape(path)}", highlight=False)

    emit(data, as_json, render)
