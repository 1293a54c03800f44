"""The one policy, as pure decisions: shell commands, paths and tool calls in; verdicts out.

Nothing here opens a file, socket or process; the enforcement points (the Claude Code hook,
the gateway, the worker jail) do the IO and ask `decide`.
"""

from __future__ import annotations

from baton.policy.commands import COMMAND_RULES
from baton.policy.engine import Context, decide
from baton.policy.model import Decision, PathAction, ShellAction, ToolCallAction

__all__ = [
    "COMMAND_RULES",
    "Context",
    "Decision",
    "PathAction",
    "ShellAction",
    "ToolCallAction",
    "decide",
]
