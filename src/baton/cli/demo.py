"""`baton demo`: six delegations through the real pipeline; `--gateway`: the gateway demo.

Plain `baton demo` is the README's main job: a sample project, six tasks of the seed's sizes
delegated to the real Codex CLI (jailed with bubblewrap) with a scripted model, then the report
(`_demo_delegation`). `--gateway` shows the MCP gateway in front of the reference server on three
transports instead (`_demo_gateway`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from baton.cli._app import JsonOption, app, die
from baton.errors import UsageError

__all__ = ["demo"]


@app.command()
def demo(
    as_json: JsonOption = False,
    gateway: Annotated[
        bool,
        typer.Option(
            "--gateway",
            help="Show the gateway instead: the MCP reference server on stdio, streamable HTTP "
            "and legacy SSE behind one `baton serve`.",
        ),
    ] = False,
    live: Annotated[
        bool,
        typer.Option(
            "--live", help="Use OpenAI's models (needs OPENAI_API_KEY) instead of the scripted one."
        ),
    ] = False,
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            help="Create the sample project here (an empty or new directory); it is kept.",
            file_okay=False,
        ),
    ] = None,
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep the demo's project directory afterwards.")
    ] = False,
    unjailed: Annotated[
        bool,
        typer.Option(
            "--unjailed",
            help="Without bubblewrap, let the worker run unjailed (policy: allow_unjailed_worker).",
        ),
    ] = False,
) -> None:
    """Delegate six tasks to the real Codex CLI and report on them (`--gateway`: the gateway)."""
    if gateway:
        if live or directory or unjailed:
            die(UsageError("--gateway takes only --keep and --json"))
        from baton.cli._demo_gateway import gateway_demo

        gateway_demo(as_json, keep)
        return
    from baton.cli._demo_delegation import delegation_demo

    delegation_demo(as_json=as_json, live=live, directory=directory, keep=keep, unjailed=unjailed)
