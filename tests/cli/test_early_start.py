"""`baton serve` and `baton proxy` start stdio upstreams before the heavy imports; nothing else."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from mcp.client.stdio import DEFAULT_INHERITED_ENV_VARS, get_default_environment

from baton._early_start import INHERITED_ENV_VARS, inherited_environment
from baton.cli._early import _parse
from tests.conftest import fixture_server
from tests.gateway._client import baton_serve, session_on, write_config


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


@pytest.mark.anyio
async def test_serve_adopts_the_upstream_it_started_early_instead_of_starting_another(
    tmp_path: Path,
) -> None:
    # The upstream notes each start before it runs; adopted, the early process is the only one.
    starts = tmp_path / "starts"
    note_then_run = f'echo started >> "{starts}"; exec "$@"'
    server = ["-c", note_then_run, "upstream", *fixture_server("faulty.py")]
    config = write_config(tmp_path / "baton.toml", {"faulty": {"command": "sh", "args": server}})
    with anyio.fail_after(60):
        async with session_on(baton_serve(config)) as lead:
            listed = await lead.list_tools()
            echoed = await lead.call_tool("faulty__echo", {"message": "hi"})
    assert "faulty__echo" in {tool.name for tool in listed.tools}
    assert not echoed.isError
    assert starts.read_text().splitlines() == ["started"]
