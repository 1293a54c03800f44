"""Merging entries into existing TOML text: other bytes untouched, odd layouts still correct."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from baton.config._splice import merge_toml
from baton.errors import ConfigError

ENTRY = {"command": "new", "args": ["x"]}
FILE = Path("config.toml")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", '[mcp_servers.n]\ncommand = "new"\nargs = ["x"]\n'),
        ('model = "o3"', 'model = "o3"\n\n[mcp_servers.n]\ncommand = "new"\nargs = ["x"]\n'),
        (
            "# only a comment",
            '# only a comment\n\n[mcp_servers.n]\ncommand = "new"\nargs = ["x"]\n',
        ),
        (
            '[mcp_servers.a]\ncommand = "a"\n\n# about b\n[b]\nk = 1\n',
            '[mcp_servers.a]\ncommand = "a"\n\n[mcp_servers.n]\ncommand = "new"\nargs = ["x"]\n'
            "\n# about b\n[b]\nk = 1\n",
        ),
        (
            '[mcp_servers.a]\ncommand = "a"\n[mcp_servers.a.env]\nK = "v"\n[b]\n',
            '[mcp_servers.a]\ncommand = "a"\n[mcp_servers.a.env]\nK = "v"\n\n'
            '[mcp_servers.n]\ncommand = "new"\nargs = ["x"]\n[b]\n',
        ),
    ],
)
def test_new_tables_go_after_the_last_entry_table(before: str, after: str) -> None:
    assert merge_toml(before, FILE, "mcp_servers", {"n": ENTRY}, force=False).text == after


@pytest.mark.parametrize(
    "before",
    [
        '[mcp_servers]\nold = { command = "o" }\n',  # entries as inline tables
        'mcp_servers.old.command = "o"\n',  # entries as dotted keys
        '[mcp_servers.old]\ncommand = "o"\n[x]\n[mcp_servers.old.env]\nA = "1"\n',  # split table
    ],
)
def test_layouts_that_cannot_be_edited_as_text_are_still_merged(before: str) -> None:
    merged = merge_toml(before, FILE, "mcp_servers", {"old": ENTRY, "n": ENTRY}, force=True)
    data = tomllib.loads(merged.text)["mcp_servers"]
    assert data == {"old": ENTRY, "n": ENTRY}


def test_a_prefix_that_is_not_a_table_is_an_error() -> None:
    with pytest.raises(ConfigError) as caught:
        merge_toml('a = 1\nmcp_servers = "no"\n', FILE, "mcp_servers", {"n": ENTRY}, force=False)
    assert (caught.value.key, caught.value.line) == ("mcp_servers", 2)


def test_a_replaced_table_takes_its_sub_tables_with_it() -> None:
    before = '[mcp_servers.a]\ncommand = "a"\n[mcp_servers.a.env]\nK = "v"\n# next\n[b]\n'
    merged = merge_toml(before, FILE, "mcp_servers", {"a": ENTRY}, force=True)
    assert merged.text == '[mcp_servers.a]\ncommand = "new"\nargs = ["x"]\n# next\n[b]\n'
