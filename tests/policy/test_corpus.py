"""The engine against its corpus: hostile cases denied by the right rule, benign ones allowed."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from baton.config.schema import PolicyConfig
from baton.policy import Context, Decision, PathAction, ShellAction, ToolCallAction, decide

CORPUS = tomllib.loads((Path(__file__).parent / "corpus.toml").read_text())
CONTEXT = Context(PolicyConfig(), root="/repo")


def action_of(case: dict[str, Any]) -> ShellAction | PathAction | ToolCallAction:
    actor = case.get("actor", "lead")
    if "shell" in case:
        return ShellAction(case["shell"], actor)
    if "path" in case:
        return PathAction(
            case["path"], case.get("op", "read"), actor, resolved=case.get("resolved")
        )
    return ToolCallAction(case["tool"], case.get("args", {}), actor)


def label(case: dict[str, Any]) -> str:
    return str(case.get("shell") or case.get("path") or f"{case['tool']} {case.get('args')}")


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS["deny"]) >= 60 and len(CORPUS["allow"]) >= 60


@pytest.mark.parametrize("case", CORPUS["deny"], ids=label)
def test_hostile_actions_are_denied_by_the_right_rule(case: dict[str, Any]) -> None:
    decision = decide(action_of(case), CONTEXT)
    assert decision.verdict == "deny", decision
    assert decision.rule == case["rule"], decision
    assert decision.reason and decision.trace


@pytest.mark.parametrize("case", CORPUS["allow"], ids=label)
def test_benign_actions_are_allowed(case: dict[str, Any]) -> None:
    decision: Decision = decide(action_of(case), CONTEXT)
    assert decision.verdict == "allow", decision
