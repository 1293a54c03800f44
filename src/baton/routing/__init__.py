"""Routing: who does a task (lead, worker, or split it first), as a pure decision with a trace.

The rules are seed 000's decision flow and routing table, configured in `[routing]` and
`[policy]`; nothing here reads files or starts processes.
"""

from __future__ import annotations

from baton.routing._globs import ModuleSpan, modules_of, touching
from baton.routing._route import RULES, Check, Decision, Route, RouteInputs, Rule, Sandbox, route

__all__ = [
    "RULES",
    "Check",
    "Decision",
    "ModuleSpan",
    "Route",
    "RouteInputs",
    "Rule",
    "Sandbox",
    "modules_of",
    "route",
    "touching",
]
