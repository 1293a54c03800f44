"""The reference server behind `baton serve`: same tools, same results, progress forwarded."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession, types

from tests.conftest import baton_command, node_bin
from tests.gateway._client import (
    SAMPLED_TEXT,
    answer_elicitation,
    answer_roots,
    answer_sampling,
    baton_serve,
    session_on,
    write_config,
)

pytestmark = [pytest.mark.anyio, pytest.mark.npm]

CALLBACKS = {
    "sampling_callback": answer_sampling,
    "elicitation_callback": answer_elicitation,
    "list_roots_callback": answer_roots,
}

# One call per tool of server-everything with arguments that make it do its real work.
# Tools that need a task-capable client (SEP-1686) are called plainly: the comparison still holds.
TOOL_CALLS: dict[str, dict[str, Any]] = {
    "echo": {"message": "hello through baton"},
    "get-sum": {"a": 2, "b": 40},
    "get-tiny-image": {},
    "get-annotated-message": {"messageType": "success", "includeImage": True},
    "get-structured-content": {"location": "New York"},
    "get-resource-reference": {"resourceType": "text", "resourceId": 3},
    "get-resource-links": {"count": 4},
    "get-env": {},
    "get-roots-list": {},
    "trigger-long-running-operation": {"duration": 0.3, "steps": 3},
    "trigger-sampling-request": {"prompt": "say hi", "maxTokens": 20},
    "trigger-elicitation-request": {},
    "gzip-file-as-resource": {
        "name": "hello.txt.gz",
        "data": "data:text/plain;base64,aGVsbG8=",
        "outputType": "resource",
    },
    "toggle-simulated-logging": {},
    "toggle-subscriber-updates": {},
    "trigger-url-elicitation": {
        "url": "https://example.com/consent",
        "message": "open this",
        "elicitationId": "fixed-id",
    },
    # Needs task augmentation (SEP-1686), which Baton does not relay yet: both sides refuse alike.
    "simulate-research-query": {"topic": "mcp"},
}


@pytest.fixture
def everything_config(tmp_path: Path) -> Path:
    server = node_bin("mcp-server-everything")
    return write_config(
        tmp_path / "baton.toml", {"everything": {"command": str(server), "args": ["stdio"]}}
    )


def everything_direct() -> list[str]:
    return [str(node_bin("mcp-server-everything")), "stdio"]


def comparable(result: types.CallToolResult) -> dict[str, Any]:
    return result.model_dump(mode="json", exclude_none=True)


async def test_tools_appear_prefixed_with_the_same_schemas(everything_config: Path) -> None:
    # server-everything lists its sampling/elicitation/roots tools only to clients that can answer
    # them; Baton always can (it relays to the lead), so the direct client declares them too.
    with anyio.fail_after(60):
        async with session_on(everything_direct(), **CALLBACKS) as direct:
            upstream = {tool.name: tool for tool in (await direct.list_tools()).tools}
        async with session_on(baton_serve(everything_config), **CALLBACKS) as gateway:
            through = {tool.name: tool for tool in (await gateway.list_tools()).tools}
    proxied = {name for name in through if "__" in name}
    assert proxied == {f"everything__{name}" for name in upstream}
    assert set(through) - proxied == {"delegate", "delegate_reply", "route", "apply", "runs"}
    for name, tool in upstream.items():
        seen = through[f"everything__{name}"]
        assert seen.model_dump(exclude={"name"}) == tool.model_dump(exclude={"name"}), name


async def test_every_tool_returns_what_the_direct_connection_returns(
    everything_config: Path,
) -> None:
    async def call_all(session: ClientSession, prefix: str) -> dict[str, dict[str, Any]]:
        results = {}
        tools = (await session.list_tools()).tools
        listed = {tool.name for tool in tools if tool.name.startswith(prefix)}  # not Baton's own
        assert {name.removeprefix(prefix) for name in listed} == set(TOOL_CALLS), (
            "a tool is untested"
        )
        for name, arguments in TOOL_CALLS.items():
            assert prefix + name in listed, f"{name} missing from the listing"
            results[name] = comparable(await session.call_tool(prefix + name, arguments))
        return results

    with anyio.fail_after(90):
        async with session_on(everything_direct(), **CALLBACKS) as direct:
            expected = await call_all(direct, "")
        async with session_on(baton_serve(everything_config), **CALLBACKS) as gateway:
            actual = await call_all(gateway, "everything__")

    for name in TOOL_CALLS:
        assert actual[name] == expected[name], name
    assert SAMPLED_TEXT in json.dumps(
        actual["trigger-sampling-request"]
    )  # the relay really asked the lead
    assert "file:///work/project" in json.dumps(actual["get-roots-list"])
    assert actual["get-sum"]["content"][0]["text"].endswith("42.")


async def test_progress_of_a_long_operation_reaches_the_client(everything_config: Path) -> None:
    updates: list[tuple[float, float | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        updates.append((progress, total))

    with anyio.fail_after(60):
        async with session_on(baton_serve(everything_config)) as gateway:
            result = await gateway.call_tool(
                "everything__trigger-long-running-operation",
                {"duration": 0.5, "steps": 5},
                progress_callback=on_progress,
            )
    assert not result.isError
    assert [progress for progress, _ in updates] == [1, 2, 3, 4, 5]
    assert {total for _, total in updates} == {5}


async def test_prompts_and_resources_pass_through(everything_config: Path) -> None:
    with anyio.fail_after(60):
        async with session_on(baton_serve(everything_config)) as gateway:
            prompts = {prompt.name for prompt in (await gateway.list_prompts()).prompts}
            prompt = await gateway.get_prompt("everything__args-prompt", {"city": "Kyoto"})
            resources = (await gateway.list_resources()).resources
            first = await gateway.read_resource(resources[0].uri)
    assert "everything__simple-prompt" in prompts
    assert "Kyoto" in json.dumps(prompt.model_dump(mode="json"))
    assert first.contents and str(first.contents[0].uri) == str(resources[0].uri)


def test_inspector_cli_lists_and_calls_through_baton(everything_config: Path) -> None:
    inspector = str(node_bin("mcp-inspector"))
    # The inspector owns `--config`, so Baton finds baton.toml from its working directory instead.
    serve = [*baton_command(), "serve"]
    cwd = everything_config.parent
    listed = subprocess.run(
        [inspector, "--cli", *serve, "--method", "tools/list"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=cwd,
    )
    names = {tool["name"] for tool in json.loads(listed.stdout)["tools"]}
    assert "everything__echo" in names
    called = subprocess.run(
        [
            inspector,
            "--cli",
            *serve,
            "--method",
            "tools/call",
            "--tool-name",
            "everything__echo",
            "--tool-arg",
            "message=from the inspector",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=cwd,
    )
    assert "from the inspector" in json.loads(called.stdout)["content"][0]["text"]
