"""`baton hook`: Claude Code's PreToolUse hook, deciding with the one policy engine.

Claude Code runs the hook with the event JSON on stdin (`tool_name`, `tool_input`, `cwd`). A
denial exits 2 with the reason on stderr, which Claude Code hands to the model; with
`--format json` the decision is printed as `hookSpecificOutput.permissionDecision` instead.
"""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from baton.cli._app import ConfigOption, app, die
from baton.errors import BatonError, UsageError

__all__ = ["hook"]

# Exit code that makes Claude Code block the tool call and show stderr to the model.
BLOCK_EXIT_CODE = 2
_PATH_ARGUMENTS = ("file_path", "notebook_path", "path")


class HookFormat(StrEnum):
    """How the decision is told to Claude Code."""

    exit_code = "exit-code"
    json = "json"


def _read_event() -> dict[str, Any]:
    raw = sys.stdin.read()
    try:
        event = json.loads(raw)
    except ValueError as exc:
        raise UsageError(
            f"hook input is not JSON: {exc}", hint="Claude Code sends the event on stdin"
        ) from exc
    if not isinstance(event, dict) or "tool_name" not in event:
        raise UsageError("hook input has no `tool_name`", hint="is this a PreToolUse event?")
    return event


def _link(arguments: dict[str, Any], cwd: str) -> tuple[str, str] | None:
    """A path argument that is a symlink, and where it really leads (the engine never looks)."""
    for key in _PATH_ARGUMENTS:
        value = arguments.get(key)
        if isinstance(value, str) and value:
            path = os.path.normpath(os.path.join(cwd, value))
            real = os.path.realpath(path)
            return (value, real) if real != path else None
    return None


def _decide(event: dict[str, Any], config: Path | None) -> Any:
    from baton.config import load_config, project_root
    from baton.policy import Context, PathAction, ToolCallAction, decide

    cwd = str(event.get("cwd") or Path.cwd())
    loaded = load_config(Path(cwd), config_path=config)
    context = Context(loaded.policy, root=str(project_root(loaded)))
    arguments = event.get("tool_input") or {}
    decision = decide(ToolCallAction(str(event["tool_name"]), arguments, "lead", cwd), context)
    link = _link(arguments, cwd)
    if decision.verdict == "allow" and link is not None:
        path, real = link
        decision = decide(PathAction(path, "read", "lead", cwd, resolved=real), context)
    return decision


def _tell_json(decision: Any) -> None:
    output = {
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": decision.verdict,
            "permissionDecisionReason": f"baton policy [{decision.rule}]: {decision.reason}",
        }
    }
    sys.stdout.write(json.dumps(output) + "\n")


@app.command()
def hook(
    config: ConfigOption = None,
    output: Annotated[
        HookFormat, typer.Option("--format", help="exit-code (exit 2 blocks) or json.")
    ] = HookFormat.exit_code,
) -> None:
    """Claude Code PreToolUse hook: read the event on stdin, block what the policy denies."""
    try:
        decision = _decide(_read_event(), config)
    except BatonError as error:
        die(error)
    if output is HookFormat.json:
        _tell_json(decision)
        return
    if decision.denied:
        sys.stderr.write(f"Blocked by baton policy [{decision.rule}]: {decision.reason}\n")
        raise typer.Exit(BLOCK_EXIT_CODE)
    if decision.verdict == "ask":
        sys.stderr.write(f"baton policy could not decide [{decision.rule}]: {decision.reason}\n")
