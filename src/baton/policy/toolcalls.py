"""Tool calls: Claude Code's built-in tools by their known arguments, MCP tools by argument names.

An MCP tool's arguments are walked: values under path-like keys are judged as paths, under
command-like keys as shell commands, and the sandbox and approval arguments of worker tools
(Codex's `codex` / `codex-reply`) are held to the policy's invariants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from baton.policy.model import ALLOW, Decision, PathAction, PathOp, ShellAction, ToolCallAction

if TYPE_CHECKING:
    from baton.policy.engine import Context

__all__ = ["decide_tool_call"]

_BUILTIN_PATHS: dict[str, tuple[str, PathOp]] = {
    "Read": ("file_path", "read"),
    "Write": ("file_path", "write"),
    "Edit": ("file_path", "write"),
    "MultiEdit": ("file_path", "write"),
    "NotebookEdit": ("notebook_path", "write"),
    "NotebookRead": ("notebook_path", "read"),
    "Grep": ("path", "read"),
    "Glob": ("path", "read"),
    "LS": ("path", "read"),
}
_PATH_KEYS = {
    "path",
    "file",
    "file_path",
    "filepath",
    "filename",
    "paths",
    "files",
    "target",
    "source",
    "destination",
    "dest",
    "src",
    "dst",
    "directory",
    "dir",
    "notebook_path",
    "uri",
    "cwd",
    "root",
    "old_path",
    "new_path",
}
_COMMAND_KEYS = {"command", "cmd", "script", "shell", "bash", "commandline", "command_line"}
_APPROVAL_KEYS = {"approval-policy", "approval_policy", "approvalpolicy"}
_WORKER_TOOLS = {"codex", "codex-reply", "codex_reply"}

ShellDecider = Callable[[ShellAction, "Context"], Decision]
PathDecider = Callable[[PathAction, "Context"], Decision]


def _leaf(tool: str) -> str:
    """`mcp__codex__codex` / `codex__codex` → `codex`."""
    return tool.rsplit("__", 1)[-1]


def decide_tool_call(
    action: ToolCallAction,
    context: Context,
    *,
    decide_shell: ShellDecider,
    decide_path: PathDecider,
) -> Decision:
    """The decision on one tool call."""
    args, actor, cwd = action.arguments, action.actor, action.cwd
    if action.tool == "Bash":
        return decide_shell(ShellAction(str(args.get("command", "")), actor), context)
    if action.tool in _BUILTIN_PATHS:
        key, op = _BUILTIN_PATHS[action.tool]
        path = args.get(key)
        return decide_path(PathAction(str(path), op, actor, cwd), context) if path else ALLOW
    decision = _worker_arguments(action) if _leaf(action.tool) in _WORKER_TOOLS else ALLOW
    for key, value in _walk(args):
        if decision.denied:
            break
        if key in _COMMAND_KEYS and isinstance(value, str):
            decision = decision.stricter(decide_shell(ShellAction(value, actor), context))
        elif key in _PATH_KEYS and isinstance(value, str):
            path = value.removeprefix("file://")
            decision = decision.stricter(decide_path(PathAction(path, "read", actor, cwd), context))
    return _named(decision, action.tool)


def _worker_arguments(action: ToolCallAction) -> Decision:
    for key, value in _walk(action.arguments):
        if key == "sandbox" and value == "danger-full-access":
            return Decision(
                "deny",
                "sandbox",
                "sandbox `danger-full-access` is never allowed",
                (f"{action.tool} argument sandbox={value!r}",),
            )
        if key in _APPROVAL_KEYS and value != "never":
            return Decision(
                "deny",
                "approval-policy",
                f"approval-policy `{value}` blocks: an unanswered approval hangs Codex",
                (f"{action.tool} argument {key}={value!r}",),
            )
    return ALLOW


def _walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (lower-cased key, leaf value) in nested arguments; list items keep their key."""
    if isinstance(value, dict):
        for child_key, child in value.items():
            yield from _walk(child, str(child_key).lower())
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, key)
    else:
        yield key, value


def _named(decision: Decision, tool: str) -> Decision:
    if decision.verdict == "allow":
        return decision
    return Decision(decision.verdict, decision.rule, f"{tool}: {decision.reason}", decision.trace)
