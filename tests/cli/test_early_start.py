"""`baton serve` and `baton proxy` start stdio upstreams before the heavy imports; nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp.client.stdio import DEFAULT_INHERITED_ENV_VARS, get_default_environment

from baton._early_start import INHERITED_ENV_VARS, inherited_environment
from baton.cli._early import _parse


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["serve"], ("serve", None, [])),
        (["serve", "--config", "b.toml"], ("serve", Path("b.toml"), [])),
        (["serve", "-c", "b.toml", "--no-prefix", "-v"], ("serve", Path("b.toml"), [])),
        (["serve", "--config=b.toml", "--transport", "stdio"], ("serve", Path("b.toml"), [])),
        (["proxy", "github", "-c", "b.toml"], ("proxy", Path("b.toml"), ["github"])),
        (["serve", "--transport", "http"], None),  # inbound auth is decided first
        (["serve", "--transport=http", "--port", "9000"], None),
        (["serve", "--help"], None),
        (["serve", "--config"], None),
        (["serve", "--unknown"], None),
        (["servers", "list"], None),
        (["--version"], None),
        ([], None),
    ],
)
def test_only_a_stdio_gateway_starts_upstreams_early(
    argv: list[str], expected: tuple[str, Path | None, list[str]] | None
) -> None:
    assert _parse(argv) == expected


def test_the_inherited_environment_is_the_sdks() -> None:
    assert list(INHERITED_ENV_VARS) == list(DEFAULT_INHERITED_ENV_VARS)
    assert inherited_environment() == get_default_environment()
