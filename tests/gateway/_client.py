"""A real MCP client session on `baton serve` (or any stdio command), for gateway tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.shared.context import RequestContext

from tests.conftest import baton_command

SAMPLED_TEXT = "a scripted answer from the lead"


async def answer_sampling(
    context: RequestContext[ClientSession, Any], params: types.CreateMessageRequestParams
) -> types.CreateMessageResult:
    """The lead's side of sampling: a fixed answer, so direct and gateway results compare."""
    return types.CreateMessageResult(
        role="assistant",
        content=types.TextContent(type="text", text=SAMPLED_TEXT),
        model="scripted",
        stopReason="endTurn",
    )


async def answer_elicitation(
    context: RequestContext[ClientSession, Any], params: types.ElicitRequestParams
) -> types.ElicitResult:
    """Accept any form elicitation with a fixed answer."""
    return types.ElicitResult(action="decline")


async def answer_roots(context: RequestContext[ClientSession, Any]) -> types.ListRootsResult:
    """One fixed root."""
    return types.ListRootsResult(roots=[types.Root(uri="file:///work/project", name="project")])  # type: ignore[arg-type]


@asynccontextmanager
async def session_on(
    command: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    **callbacks: Any,
) -> AsyncIterator[ClientSession]:
    """An initialized client session on a stdio server command."""
    params = StdioServerParameters(command=command[0], args=command[1:], cwd=cwd, env=env)
    try:
        async with (
            stdio_client(params) as (read, write),
            ClientSession(read, write, **callbacks) as session,
        ):
            await session.initialize()
            yield session
    except* anyio.BrokenResourceError:
        # The SDK's stdio_client races on close when the server is still talking (server-everything
        # asks for roots right after `initialized`); the session's work is already done here.
        pass


def baton_serve(config: Path, *extra: str) -> list[str]:
    """The command line of `baton serve` on a given config file."""
    return [*baton_command(), "serve", "--config", str(config), *extra]


def write_config(path: Path, servers: dict[str, dict[str, Any]]) -> Path:
    """Write a baton.toml with the given [servers.*] tables (values are TOML-serialisable)."""
    import tomlkit

    document = tomlkit.document()
    table = tomlkit.table(is_super_table=True)
    for name, server in servers.items():
        table[name] = server
    document["servers"] = table
    path.write_text(tomlkit.dumps(document))
    return path
