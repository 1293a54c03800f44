"""The async part of `baton demo`: diagnose the upstreams, then act as the lead on `baton serve`."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from rich.progress import Progress

from baton.cli._app import stderr

__all__ = ["run_demo"]

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("local__get-sum", {"a": 19, "b": 23}),
    ("remote__echo", {"message": "hello over streamable HTTP"}),
    ("legacy__echo", {"message": "hello over legacy SSE"}),
    ("local__get-structured-content", {"location": "Chicago"}),
]


async def _diagnose(config: Path) -> list[dict[str, Any]]:
    from baton.config.loading import load_config
    from baton.upstream.doctor import diagnose_all

    loaded = load_config(config_path=config)
    diagnoses = await diagnose_all(loaded.enabled_servers())
    return [diagnosis.model_dump(mode="json") for diagnosis in diagnoses]


def _summary(result: types.CallToolResult) -> str:
    if result.structuredContent is not None:
        return str(result.structuredContent)[:70]
    texts = [block.text for block in result.content if isinstance(block, types.TextContent)]
    return (" ".join(texts) or "(no text)")[:70]


async def _lead(config: Path, quiet: bool) -> dict[str, Any]:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "baton", "serve", "--config", str(config)]
    )
    calls: list[dict[str, Any]] = []
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools
        for name, arguments in CALLS:
            started = time.perf_counter()
            result = await session.call_tool(name, arguments)
            calls.append(
                {
                    "tool": name,
                    "ms": (time.perf_counter() - started) * 1000,
                    "ok": not result.isError,
                    "result": _summary(result),
                }
            )
        updates = await _long_operation(session, quiet)
    proxied = [tool.name for tool in tools if "__" in tool.name]
    own = [tool.name for tool in tools if "__" not in tool.name]
    return {
        "tool_count": len(proxied),
        "own_tools": own,
        "calls": calls,
        "progress_updates": updates,
    }


class _ProgressBar:
    """Feeds a rich progress bar from MCP progress notifications, counting them."""

    def __init__(self, progress: Progress, steps: int) -> None:
        self.count = 0
        self._progress = progress
        self._task = progress.add_task("remote__trigger-long-running-operation", total=steps)

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.count += 1
        self._progress.update(self._task, completed=progress, total=total)


async def _long_operation(session: ClientSession, quiet: bool) -> int:
    steps = 10
    with Progress(console=stderr, transient=True, disable=quiet) as progress:
        bar = _ProgressBar(progress, steps)
        await session.call_tool(
            "remote__trigger-long-running-operation",
            {"duration": 2, "steps": steps},
            progress_callback=bar,
        )
    return bar.count


async def run_demo(config: Path, quiet: bool) -> dict[str, Any]:
    """Diagnose the demo's upstreams and drive the gateway; the report `baton demo` prints."""
    with stderr.status("diagnosing upstream servers…") if not quiet else _Null():
        servers = await _diagnose(config)
    with stderr.status("calling tools through the gateway…") if not quiet else _Null():
        lead = await _lead(config, quiet)
    ok = all(row["ok"] for row in servers) and all(call["ok"] for call in lead["calls"])
    return {"ok": ok, "servers": servers, **lead}


class _Null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
