"""`${VAR}` / `${VAR:-default}` expansion: the semantics Claude Code gives `.mcp.json`."""

from __future__ import annotations

import pytest

from baton.config.expand import expand, references
from baton.errors import ConfigError

ENVIRON = {"TOKEN": "s3cret", "EMPTY": "", "HOST": "example.com"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "plain"),
        ("${TOKEN}", "s3cret"),
        ("Bearer ${TOKEN}", "Bearer s3cret"),
        ("https://${HOST}/mcp", "https://example.com/mcp"),
        ("${MISSING:-fallback}", "fallback"),
        ("${MISSING:-}", ""),
        ("${HOST:-other.org}", "example.com"),
        ("${EMPTY:-default}", ""),  # set but empty is still set
        ("$TOKEN and $(TOKEN)", "$TOKEN and $(TOKEN)"),  # only the braced form is a reference
        ("${TOKEN}${HOST}", "s3cretexample.com"),
    ],
)
def test_expand_replaces_references(value: str, expected: str) -> None:
    assert expand(value, ENVIRON, where="servers.x.url") == expected


def test_an_unset_variable_without_default_names_the_variable_and_the_key() -> None:
    with pytest.raises(ConfigError) as caught:
        expand("Bearer ${GITHUB_TOKEN}", ENVIRON, where="servers.github.http_headers.X")
    assert "GITHUB_TOKEN" in caught.value.message
    assert caught.value.key == "servers.github.http_headers.X"
    assert caught.value.hint and "export GITHUB_TOKEN" in caught.value.hint


def test_references_lists_names_in_order() -> None:
    assert references("${A}-${B:-x}-$C-${A}") == ["A", "B", "A"]
