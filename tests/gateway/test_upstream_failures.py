"""An upstream that crashes, hangs or cannot start costs its own call, never the gateway."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from mcp import types

from tests.conftest import fixture_server
from tests.gateway._client import baton_serve, session_on, write_config

pytestmark = pytest.mark.anyio


def stdio_entry(script: str, **extra: object) -> dict[str, object]:
    command = fixture_server(script)
    return {"command": command[0], "args": command[1:], **extra}


def text_of(result: types.CallToolResult) -> str:
    return " ".join(block.text for block in result.content if isinstance(block, types.TextContent))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(
        tmp_path / "baton.toml",
        {
            "faulty": stdio_entry("faulty.py", tool_timeout_sec=1),
            "steady": stdio_entry("faulty.py"),
            "broken": {"command": "baton-no-such-command-xyz"},
        },
    )


async def test_a_crash_mid_call_is_that_calls_error_and_the_next_call_works(config: Path) -> None:
    with anyio.fail_after(60):
        async with session_on(baton_serve(config)) as lead:
            crashed = await lead.call_tool("faulty__crash", {})
            again = await lead.call_tool("faulty__echo", {"message": "back"})
            other = await lead.call_tool("steady__echo", {"message": "unaffected"})
    assert crashed.isError and "upstream 'faulty'" in text_of(crashed)
    assert not again.isError and text_of(again) == "back"
    assert text_of(other) == "unaffected"


async def test_a_hang_times_out_naming_the_server_and_the_next_call_works(config: Path) -> None:
    with anyio.fail_after(60):
        async with session_on(baton_serve(config)) as lead:
            hung = await lead.call_tool("faulty__hang", {})
            again = await lead.call_tool("faulty__echo", {"message": "still here"})
    assert hung.isError
    assert "upstream 'faulty'" in text_of(hung) and "tool_timeout_sec" in text_of(hung)
    assert text_of(again) == "still here"


async def test_a_server_that_cannot_start_leaves_the_others_listed(config: Path) -> None:
    with anyio.fail_after(60):
        async with session_on(baton_serve(config)) as lead:
            names = {tool.name for tool in (await lead.list_tools()).tools}
            result = await lead.call_tool("steady__echo", {"message": "fine"})
    assert "steady__echo" in names and "faulty__echo" in names
    assert not any(name.startswith("broken__") for name in names)
    assert text_of(result) == "fine"


async def test_progress_and_logs_from_an_upstream_reach_the_lead(config: Path) -> None:
    progress: list[float] = []
    logs: list[types.LoggingMessageNotificationParams] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append(done)

    async def on_log(params: types.LoggingMessageNotificationParams) -> None:
        logs.append(params)

    with anyio.fail_after(60):
        async with session_on(baton_serve(config), logging_callback=on_log) as lead:
            await lead.call_tool("steady__slow_progress", {}, progress_callback=on_progress)
            await lead.call_tool("steady__log", {})
    assert progress == [1, 2, 3]
    assert logs and logs[0].logger is not None and logs[0].logger.startswith("steady")
