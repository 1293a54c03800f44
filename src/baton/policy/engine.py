"""`decide(action, policy)`: allow, deny or ask, with the rule, the reason and the trace. Pure.

The same engine answers for every enforcement point: Claude Code's PreToolUse hook, the
gateway's check of proxied tool calls, and worker calls. It never touches the disk: callers that
can (the hook, the gateway) resolve symlinks first and pass them in `PathAction.resolved`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baton.config.schema import PolicyConfig
from baton.policy.commands import COMMAND_RULES, path_arguments
from baton.policy.model import (
    ALLOW,
    Decision,
    PathAction,
    PathOp,
    ShellAction,
    ToolCallAction,
)
from baton.policy.paths import first_match, normalise
from baton.policy.shell import ShellParseError, simple_commands
from baton.policy.toolcalls import decide_tool_call

__all__ = ["Context", "decide"]


@dataclass(frozen=True)
class Context:
    """What the engine knows about where it runs: the project root and the file system's case."""

    policy: PolicyConfig
    root: str = ""
    case_insensitive: bool = False


def decide(action: ShellAction | PathAction | ToolCallAction, context: Context) -> Decision:
    """The policy's decision on one action."""
    if isinstance(action, ShellAction):
        return decide_shell(action, context)
    if isinstance(action, PathAction):
        return decide_path(action, context)
    return decide_tool_call(action, context, decide_shell=decide_shell, decide_path=decide_path)


def decide_path(action: PathAction, context: Context) -> Decision:
    """A path is denied when any spelling of it, or its symlink target, matches a denied glob."""
    decision = _decide_one_path(action.path, action, context)
    if action.resolved and decision.verdict == "allow":
        target = _decide_one_path(action.resolved, action, context)
        if target.verdict != "allow":
            return Decision(
                target.verdict,
                target.rule,
                f"{action.path} is a link: {target.reason}",
                (f"symlink {action.path} -> {action.resolved}", *target.trace),
            )
    return decision


def _decide_one_path(path: str, action: PathAction, context: Context) -> Decision:
    view = normalise(
        path,
        cwd=action.cwd or context.root,
        root=context.root,
        case_insensitive=context.case_insensitive,
    )
    trace = (f"{path!r} normalised to {view.text!r}",)
    policy, folded = context.policy, context.case_insensitive
    if pattern := first_match(view, policy.denied_paths, case_insensitive=folded):
        return Decision(
            "deny",
            "denied-path",
            f"{view.text} matches denied path `{pattern}`",
            (*trace, f"matched [policy].denied_paths `{pattern}`"),
        )
    if action.actor == "worker":
        if pattern := first_match(view, policy.protected_paths, case_insensitive=folded):
            return Decision(
                "deny",
                "protected-path",
                f"{view.text} is protected (`{pattern}`): the lead handles it",
                (*trace, f"matched [policy].protected_paths `{pattern}`"),
            )
        if not view.inside and action.op != "read":
            return Decision(
                "deny", "outside-workspace", f"{view.text} is outside the workspace", trace
            )
    return Decision("allow", "default", f"{view.text} matches no denied path", trace)


def decide_shell(action: ShellAction, context: Context) -> Decision:
    """Denied when any command the line would run breaks a rule or names a denied path."""
    try:
        commands = simple_commands(action.command)
    except ShellParseError as error:
        return Decision("ask", "unparseable", str(error), (f"command: {action.command!r}",))
    decision, checked = ALLOW, list[str]()
    for command in commands:
        found = _decide_command(command.argv, command, action, context)
        if found.denied:
            return found
        decision, checked = decision.stricter(found), [*checked, *found.trace]
    if decision.verdict == "allow":
        return Decision("allow", "default", "no rule denies any command it runs", tuple(checked))
    return decision


def _decide_command(
    argv: tuple[str, ...], command: Any, action: ShellAction, context: Context
) -> Decision:
    trace = (
        f"runs {' '.join(argv)!r}" + (f" via {', '.join(command.via)}" if command.via else ""),
    )
    for rule_id in context.policy.denied_commands:
        rule = COMMAND_RULES.get(rule_id)
        if rule is not None and (reason := rule.check(command)):
            return Decision(
                "deny", rule.id, reason, (*trace, f"[policy].denied_commands `{rule_id}`")
            )
    operations: list[tuple[str, PathOp]] = [
        (p, "read") for p in (*path_arguments(command), *command.reads)
    ]
    operations += [(p, "write") for p in command.writes]
    for path, op in operations:
        found = decide_path(PathAction(path, op, action.actor, context.root), context)
        if found.verdict != "allow":
            return Decision(found.verdict, found.rule, found.reason, (*trace, *found.trace))
    return Decision("allow", "default", "no rule denies it", trace)
