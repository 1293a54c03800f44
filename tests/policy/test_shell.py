"""Taking command lines apart: the fast path agrees with bashlex; wrappers and nesting open."""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path

import pytest

from baton.config.schema import PolicyConfig
from baton.policy import Context, ShellAction, decide
from baton.policy.shell import _SHELL_SYNTAX, ShellParseError, _walk, simple_commands

CORPUS = tomllib.loads((Path(__file__).parent / "corpus.toml").read_text())
PLAIN = [
    case["shell"]
    for case in CORPUS["deny"] + CORPUS["allow"]
    if "shell" in case and not _SHELL_SYNTAX.intersection(case["shell"])
]


def bashlex_words(line: str) -> list[tuple[str, ...]]:
    import bashlex

    return [command.argv for tree in bashlex.parse(line) for command in _walk(tree)]


@pytest.mark.parametrize("line", PLAIN)
def test_plain_lines_split_as_bashlex_splits_them(line: str) -> None:
    assert simple_commands(line)[0].argv == bashlex_words(line)[0]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("a && b; c | d", [("a",), ("b",), ("c",), ("d",)]),
        ("(cd x && make)", [("cd", "x"), ("make",)]),
        ("echo $(whoami)", [("echo", "$(whoami)"), ("whoami",)]),
        ("bash -c 'git status'", [("bash", "-c", "git status"), ("git", "status")]),
        ("env A=1 B=2 make", [("env", "A=1", "B=2", "make"), ("make",)]),
        ("timeout -s KILL 5 make", [("timeout", "-s", "KILL", "5", "make"), ("make",)]),
        ("X=1 Y=2 make test", [("make", "test")]),
    ],
)
def test_every_command_a_line_would_run_is_found(
    line: str, expected: list[tuple[str, ...]]
) -> None:
    assert [command.argv for command in simple_commands(line)] == expected


def test_redirections_are_reads_and_writes() -> None:
    (command,) = simple_commands("sort < in.txt > out.txt")
    assert command.reads == ("in.txt",) and command.writes == ("out.txt",)


def nested(depth: int) -> str:
    line = "true"
    for _ in range(depth):
        line = f"bash -c {shlex.quote(line)}"
    return line


@pytest.mark.parametrize("line", ["echo 'unclosed", "if then fi ((", nested(12)])
def test_a_line_that_cannot_be_parsed_is_asked_about_not_allowed(line: str) -> None:
    with pytest.raises(ShellParseError):
        simple_commands(line)
    decision = decide(ShellAction(line), Context(PolicyConfig()))
    assert decision.verdict == "ask" and decision.rule == "unparseable"


def test_a_rule_left_out_of_denied_commands_is_not_enforced() -> None:
    policy = PolicyConfig(denied_commands=["reset-hard"])
    assert decide(ShellAction("git push --force"), Context(policy)).verdict == "allow"
    assert decide(ShellAction("git reset --hard"), Context(policy)).rule == "reset-hard"
