"""A minimal stdio MCP server with one `echo` tool: the upstream every start-up case spawns.

Built on the SDK's low-level `Server` with as few imports as possible, so its own start-up is the
floor the gateways are measured against.
"""

from __future__ import annotations

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


if __name__ == "__main__":
    anyio.run(main)
