"""Properties of path normalisation and shell parsing, over inputs Hypothesis makes up."""

from __future__ import annotations

import shlex

import bashlex
from hypothesis import given, settings
from hypothesis import strategies as st

from baton.config.schema import PolicyConfig
from baton.policy import Context, PathAction, ShellAction, decide
from baton.policy.paths import normalise
from baton.policy.shell import ShellParseError, _walk, simple_commands

CONTEXT = Context(PolicyConfig(), root="/repo")
segment = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=12
).filter(lambda s: s not in (".", ".."))
relative = st.lists(segment, min_size=1, max_size=5).map("/".join)
DENIED_NAMES = [".env", ".env.local", "id.pem", "deploy.key"]


@given(relative)
def test_normalising_twice_changes_nothing(path: str) -> None:
    once = normalise(path, root="/repo")
    assert normalise(once.text, root="/repo").text == once.text


@given(relative, st.sampled_from(DENIED_NAMES), st.sampled_from(["./", "x/../", "", "a//"]))
def test_every_spelling_of_a_denied_file_is_denied(base: str, name: str, noise: str) -> None:
    plain = f"{base}/{name}"
    spelled = f"{noise}{base}//{name}".replace("//", "/" if noise != "a//" else "//")
    for path in (plain, spelled, f"/repo/{plain}", f"{plain}/../{name}"):
        assert decide(PathAction(path), CONTEXT).denied, path


@given(relative)
def test_a_path_decision_never_raises_and_always_has_a_trace(path: str) -> None:
    decision = decide(PathAction(path), CONTEXT)
    assert decision.verdict in ("allow", "deny") and decision.trace


# Spaces and glob characters make `shlex.quote` quote the word, so the fast path must unquote it.
# (No quote characters: bashlex itself mis-splits `''"'"''`, so it cannot be the oracle there.)
word = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_./=+:@ *?~!%^,", min_size=1, max_size=10
)


@given(st.lists(word, min_size=1, max_size=8))
def test_the_fast_path_splits_plain_lines_as_bashlex_does(words: list[str]) -> None:
    line = " ".join(shlex.quote(w) for w in words)
    try:
        expected = [c.argv for tree in bashlex.parse(line) for c in _walk(tree)]
    except Exception:  # bashlex rejects some odd-but-valid words; nothing to compare then
        return
    found = [command.argv for command in simple_commands(line) if command.argv]
    assert found[:1] == [argv for argv in expected if argv][:1]


@settings(max_examples=300)
@given(st.text(max_size=80))
def test_any_text_is_parsed_or_refused_cleanly_and_never_allowed_blindly(line: str) -> None:
    try:
        simple_commands(line)
    except ShellParseError:
        assert decide(ShellAction(line), CONTEXT).verdict == "ask"
        return
    decide(ShellAction(line), CONTEXT)  # a parsed line is judged without raising
