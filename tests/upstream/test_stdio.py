"""A stdio upstream through the pool: start, tools, environment, progress, logs, errors."""

from __future__ import annotations

import anyio
import pytest
from mcp import types
from mcp.shared.exceptions import McpError

from baton.upstream import UpstreamHooks, UpstreamPool
from tests.upstream._support import EVERYTHING, faulty, requires_everything, text_of

pytestmark = pytest.mark.anyio


async def test_echo_starts_the_server_lazily_and_answers() -> None:
    with anyio.fail_after(30):
        async with UpstreamPool({"faulty": faulty()}) as pool:
            upstream = pool["faulty"]
            assert (upstream.state, upstream.transport) == ("idle", "stdio")
            result = await upstream.call_tool("echo", {"message": "hello"})
            assert text_of(result) == "hello"
            assert upstream.state == "ready"
            assert upstream.initialize_result is not None
            assert upstream.initialize_result.serverInfo.name == "faulty"
            assert upstream.startup_ms is not None and upstream.startup_ms > 0
        assert upstream.state == "closed"


async def test_tools_are_filtered_by_enabled_and_disabled_tools() -> None:
    config = faulty(enabled_tools=["echo", "crash", "log"], disabled_tools=["crash"])
    with anyio.fail_after(30):
        async with UpstreamPool({"faulty": config}) as pool:
            tools = await pool["faulty"].list_tools()
            assert sorted(tool.name for tool in tools) == ["echo", "log"]
            with pytest.raises(McpError) as refused:
                await pool["faulty"].call_tool("crash", None)
    assert refused.value.error.code == types.INVALID_PARAMS
    assert "tool 'crash' is disabled" in refused.value.error.message


async def test_env_is_expanded_and_merged_over_a_minimal_inherited_environment() -> None:
    config = faulty(env={"GREETING": "${GREETING_SOURCE:-fallback}", "PLAIN": "p"})
    environ = {"PATH": "/usr/bin:/bin", "UNRELATED_SECRET": "s3cret"}
    with anyio.fail_after(30):
        async with UpstreamPool({"faulty": config}, environ=environ) as pool:

            async def getenv(name: str) -> str:
                return text_of(await pool["faulty"].call_tool("getenv", {"name": name}))

            assert await getenv("GREETING") == "fallback"
            assert await getenv("PLAIN") == "p"
            assert await getenv("UNRELATED_SECRET") == "<unset>"  # only the SDK's safe list
            assert await getenv("HOME") != "<unset>"  # inherited from the real environment


async def test_the_tool_list_is_cached_until_the_server_says_it_changed() -> None:
    notices: list[tuple[str, types.ServerNotification]] = []

    async def on_notification(server: str, notification: types.ServerNotification) -> None:
        notices.append((server, notification))

    hooks = UpstreamHooks(on_notification=on_notification)
    with anyio.fail_after(30):
        async with UpstreamPool({"faulty": faulty()}, hooks) as pool:
            upstream = pool["faulty"]
            before = {tool.name for tool in await upstream.list_tools()}
            assert upstream._tools is not None  # cached
            await upstream.call_tool("add_tool", {"name": "fresh"})
            assert upstream._tools is None  # dropped on tools/list_changed
            after = {tool.name for tool in await upstream.list_tools()}
    assert after - before == {"fresh"}
    assert [(server, type(n.root)) for server, n in notices] == [
        ("faulty", types.ToolListChangedNotification)
    ]


async def test_progress_notifications_reach_the_calls_callback() -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    with anyio.fail_after(30):
        async with UpstreamPool({"faulty": faulty()}) as pool:
            result = await pool["faulty"].call_tool(
                "slow_progress", {}, progress_callback=on_progress
            )
    assert text_of(result) == "done"
    assert seen == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]


async def test_log_notifications_reach_the_on_log_hook_with_the_server_name() -> None:
    logs: list[tuple[str, types.LoggingMessageNotificationParams]] = []

    async def on_log(server: str, params: types.LoggingMessageNotificationParams) -> None:
        logs.append((server, params))

    with anyio.fail_after(30):
        async with UpstreamPool({"faulty": faulty()}, UpstreamHooks(on_log=on_log)) as pool:
            assert text_of(await pool["faulty"].call_tool("log", {})) == "logged"
    assert [(server, p.level, p.data) for server, p in logs] == [
        ("faulty", "warning", "hello from faulty")
    ]


async def test_a_failing_hook_costs_its_message_not_the_connection() -> None:
    async def on_log(server: str, params: types.LoggingMessageNotificationParams) -> None:
        raise RuntimeError("the owner's bug")

    with anyio.fail_after(30):
        async with UpstreamPool({"faulty": faulty()}, UpstreamHooks(on_log=on_log)) as pool:
            assert text_of(await pool["faulty"].call_tool("log", {})) == "logged"
            assert text_of(await pool["faulty"].call_tool("echo", {"message": "still"})) == "still"


async def test_client_capabilities_follow_the_hooks_that_are_set() -> None:
    async def on_roots(server: str) -> types.ListRootsResult:
        return types.ListRootsResult(roots=[])

    with anyio.fail_after(30):
        async with UpstreamPool(
            {"faulty": faulty()}, UpstreamHooks(on_list_roots=on_roots)
        ) as pool:
            advertised = text_of(await pool["faulty"].call_tool("client_capabilities", {}))
    capabilities = types.ClientCapabilities.model_validate_json(advertised)
    assert capabilities.roots is not None
    assert capabilities.sampling is None and capabilities.elicitation is None


async def test_jsonrpc_errors_keep_code_and_data_with_the_server_named() -> None:
    request = types.ClientRequest(
        types.CompleteRequest(
            params=types.CompleteRequestParams(
                ref=types.PromptReference(type="ref/prompt", name="nope"),
                argument=types.CompletionArgument(name="a", value="b"),
            )
        )
    )
    with anyio.fail_after(30):
        async with UpstreamPool({"faulty": faulty()}) as pool:
            with pytest.raises(McpError) as failed:
                await pool["faulty"].send_request(request, types.CompleteResult)
    assert failed.value.error.code == types.METHOD_NOT_FOUND
    assert failed.value.error.message.startswith("upstream 'faulty': ")


@pytest.mark.npm
@requires_everything
async def test_server_everything_over_stdio_lists_and_calls_echo() -> None:
    config = {"everything": faulty(command=str(EVERYTHING), args=["stdio"])}
    with anyio.fail_after(60):
        async with UpstreamPool(config) as pool:
            names = {tool.name for tool in await pool["everything"].list_tools()}
            assert {"echo", "get-sum"} <= names
            result = await pool["everything"].call_tool("echo", {"message": "hi"})
    assert text_of(result) == "Echo: hi"


async def test_notifications_can_be_sent_to_the_upstream() -> None:
    notification = types.ClientNotification(types.RootsListChangedNotification())
    with anyio.fail_after(30):
        async with UpstreamPool({"faulty": faulty()}) as pool:
            await pool["faulty"].send_notification(notification)
            assert text_of(await pool["faulty"].call_tool("echo", {"message": "after"})) == "after"


def test_the_package_exports_exactly_the_interface_the_gateway_uses() -> None:
    import baton.upstream

    assert sorted(baton.upstream.__all__) == [
        "ProgressFnT",
        "Upstream",
        "UpstreamHooks",
        "UpstreamPool",
        "UpstreamState",
    ]
    assert all(hasattr(baton.upstream, name) for name in baton.upstream.__all__)
