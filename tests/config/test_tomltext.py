"""Locating keys in TOML text: the line numbers every config error points at."""

from __future__ import annotations

import pytest

from baton.config._tomltext import KeyPath, key_line

TEXT = '''\
# top comment
title = "x"  # trailing

[servers.github]
url = "https://api.githubcopilot.com/mcp/"
http_headers = { "X-Trace" = "1" }
notes = """
fake = "not a key"
[not.a.table]
"""

[servers."dotted.name"]
command = 'uvx'
args = [
    "a",  # a comment inside an array
    "[b]",
]
env.TOKEN = "${TOKEN}"

[[gates]]
name = "lint"
command = "ruff check"

[[gates]]
name = "test"

[gates.env]
CI = "1"

[servers]
inline = { command = "x", bad = 1 }
'''


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("title",), 2),
        (("servers", "github"), 4),
        (("servers", "github", "url"), 5),
        (("servers", "github", "http_headers", "X-Trace"), 6),  # inside an inline table
        (("servers", "github", "missing_key"), 4),  # a missing key: its table
        (("servers", "dotted.name", "command"), 13),
        (("servers", "dotted.name", "args"), 14),
        (("servers", "dotted.name", "args", 1), 14),
        (("servers", "dotted.name", "env", "TOKEN"), 18),
        (("gates", 0, "command"), 22),
        (("gates", 1), 24),
        (("gates", 1, "command"), 24),
        (("gates", 1, "env", "CI"), 28),
        (("servers", "inline", "bad"), 31),
        (("nowhere",), None),
    ],
)
def test_key_line_finds_the_line_that_sets_a_key(path: KeyPath, line: int | None) -> None:
    assert key_line(TEXT, path) == line


def test_the_contents_of_multiline_strings_are_not_keys() -> None:
    assert key_line(TEXT, ("servers", "github", "fake")) == 4
    assert key_line(TEXT, ("not", "a", "table")) is None
