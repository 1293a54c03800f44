"""A minimal MCP server with one `echo` tool: the upstream every benchmark case spawns.

Built on the SDK's low-level `Server` with as few imports as possible, so its own start-up is the
floor the gateways are measured against. stdio by default; `--http PORT` serves streamable HTTP at
`/mcp` instead (the SDK's session manager under uvicorn, imported only then), the floor for the
HTTP cases of `overhead.py`.

    python echo_server.py [--http PORT]
"""

from __future__ import annotations

import sys
from typing import Any

import anyio
from mcp import types
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

ECHO_TOOL = types.Tool(
    name="echo",
    description="Return the given text unchanged.",
    inputSchema={
        "type": "object",
        "properties": {"text": {"type": "string"}},
        "required": ["text"],
    },
)

server: Server[object, Any] = Server("bench-echo")


@server.list_tools()
async def list_tools() -> list[types.Tool]:
    """The one tool."""
    return [ECHO_TOOL]


@server.call_tool(validate_input=False)
async def call_tool(name: str, arguments: dict[str, Any]) -> list[types.TextContent]:
    """Echo `text` back."""
    if name != ECHO_TOOL.name:
        raise ValueError(f"unknown tool: {name}")
    return [types.TextContent(type="text", text=str(arguments.get("text", "")))]


async def main() -> None:
    """Serve over stdin/stdout until stdin closes."""
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


def serve_http(port: int, host: str = "127.0.0.1") -> None:
    """Serve streamable HTTP at http://HOST:PORT/mcp until killed (SSE responses, stateful)."""
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    import uvicorn
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
    from starlette.applications import Starlette
    from starlette.routing import Route
    from starlette.types import Receive, Scope, Send

    manager = StreamableHTTPSessionManager(app=server)

    class Endpoint:  # a plain ASGI app, so Starlette routes every method to it
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await manager.handle_request(scope, receive, send)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with manager.run():
            yield

    app = Starlette(routes=[Route("/mcp", endpoint=Endpoint())], lifespan=lifespan)
    uvicorn.run(app, host=host, port=port, log_level="warning")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        serve_http(int(sys.argv[2]))
    else:
        anyio.run(main)
