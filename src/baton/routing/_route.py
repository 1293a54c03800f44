"""The seed's routing flow as rules in one default list; `route` returns a decision and its trace.

    protected path → lead    security-sensitive → lead    multi-module → lead
    kind the table gives the lead → lead    no acceptance criteria or no scope → split
    otherwise → worker

Rules are tried in order; the first that fires decides. Every rule's outcome is in the trace.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from baton.config.schema import PolicyConfig, RoutingConfig
from baton.routing._globs import modules_of, touching
from baton.task import REVIEW_KINDS, Task

__all__ = ["RULES", "Check", "Decision", "Route", "RouteInputs", "Rule", "Sandbox", "route"]

Route = Literal["lead", "worker", "split"]
Sandbox = Literal["read-only", "workspace-write"]


@dataclass(frozen=True)
class Check:
    """One rule's outcome for one task: whether it fired, and why (or why not)."""

    rule: str
    fired: bool
    detail: str


@dataclass(frozen=True)
class Decision:
    """Who does the task, by which rule and for which reasons, with every rule's outcome."""

    route: Route
    rule: str
    reasons: tuple[str, ...]
    trace: tuple[Check, ...]
    worker: str | None = None
    sandbox: Sandbox | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output and the ledger."""
        return asdict(self)


@dataclass(frozen=True)
class RouteInputs:
    """What a rule looks at: the task and the routing and policy configuration."""

    task: Task
    routing: RoutingConfig
    policy: PolicyConfig


@dataclass(frozen=True)
class Rule:
    """A named routing rule: the route it sends a task to when `reasons` returns any."""

    name: str
    route: Route
    reasons: Callable[[RouteInputs], list[str]]
    passed: str  # the trace's detail when the rule does not fire


def _protected(inputs: RouteInputs) -> list[str]:
    patterns = [*inputs.policy.protected_paths, *inputs.policy.denied_paths]
    return [
        f"scope '{glob}' reaches protected or denied path '{pattern}'"
        for glob, pattern in touching(inputs.task.scope, patterns)
    ]


def _keyword_hits(text: str, keywords: Sequence[str]) -> list[str]:
    """Keywords that are a word of `text`, or its plural (`token` matches `api_tokens`)."""
    found = []
    for keyword in keywords:
        word = rf"(?<![^\W_]){re.escape(keyword)}(?:s|es)?(?![^\W_])"
        found += [keyword] if re.search(word, text, re.IGNORECASE) else []
    return found


def _security(inputs: RouteInputs) -> list[str]:
    task, routing = inputs.task, inputs.routing
    reasons = [
        f"scope '{glob}' is security-sensitive ('{pattern}')"
        for glob, pattern in touching(task.scope, routing.security_paths)
    ]
    texts = {"goal": task.goal, "scope": " ".join(task.scope)}
    texts |= {f"acceptance[{i}]": c.text for i, c in enumerate(task.acceptance)}
    texts |= {f"constraints[{i}]": c for i, c in enumerate(task.constraints)}
    for where, text in texts.items():
        reasons += [
            f"{where} mentions '{k}'" for k in _keyword_hits(text, routing.security_keywords)
        ]
    return reasons


def _multi_module(inputs: RouteInputs) -> list[str]:
    span = modules_of(inputs.task.scope, inputs.routing.modules)
    reasons = [f"scope '{glob}' spans every module '{pattern}'" for glob, pattern in span.spanning]
    if len(span.modules) > 1:
        reasons.append(
            f"scope spans {len(span.modules)} modules: {', '.join(sorted(span.modules))}"
        )
    return reasons


def _lead_kind(inputs: RouteInputs) -> list[str]:
    kind = inputs.task.kind
    if kind is not None and kind in inputs.routing.lead_kinds:
        return [f"kind '{kind}' stays with the lead (routing.lead_kinds)"]
    return []


def _unclear(inputs: RouteInputs) -> list[str]:
    task = inputs.task
    reasons = ["no acceptance criteria"] if not task.acceptance else []
    return reasons + (["no scope"] if not task.scope else [])


RULES: tuple[Rule, ...] = (
    Rule("protected-path", "lead", _protected, "scope reaches no protected or denied path"),
    Rule("security-sensitive", "lead", _security, "no security-sensitive path or keyword"),
    Rule("multi-module", "lead", _multi_module, "scope lies in at most one module"),
    Rule("lead-kind", "lead", _lead_kind, "kind is not one the lead keeps"),
    Rule("unclear", "split", _unclear, "acceptance criteria and scope are given"),
)


def route(
    task: Task,
    routing: RoutingConfig | None = None,
    policy: PolicyConfig | None = None,
    rules: Sequence[Rule] = RULES,
) -> Decision:
    """Decide who does `task`: the first rule that fires, else the worker."""
    inputs = RouteInputs(task, routing or RoutingConfig(), policy or PolicyConfig())
    trace: list[Check] = []
    for rule in rules:
        reasons = rule.reasons(inputs)
        trace.append(Check(rule.name, bool(reasons), "; ".join(reasons) or rule.passed))
        if reasons:
            return Decision(rule.route, rule.name, tuple(reasons), tuple(trace))
    sandbox: Sandbox = "read-only" if task.kind in REVIEW_KINDS else "workspace-write"
    count = len(task.acceptance)
    why = f"{count} acceptance criteri{'on' if count == 1 else 'a'} and a single-module scope"
    trace.append(Check("worker", True, why))
    return Decision("worker", "worker", (why,), tuple(trace), task.worker, sandbox)
