"""A FastMCP proxy in front of one stdio server: the `fastmcp` peer of the benchmarks.

Runs in the benchmarks' own peers venv (`bench/.peers`, made by `_common.peer_python`), because
FastMCP needs mcp 2.x and Baton pins mcp<2. Built the way FastMCP's documentation builds a proxy
(`create_proxy` on an `mcpServers` config), with its defaults; only the banner and INFO logs off.

    python fastmcp_proxy.py stdio -- COMMAND [ARGS...]
    python fastmcp_proxy.py http PORT -- COMMAND [ARGS...]
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("FASTMCP_LOG_LEVEL", "WARNING")  # as quiet as Baton's default

from fastmcp.server import create_proxy


def main(argv: list[str]) -> None:
    """Parse `stdio|http [PORT] -- COMMAND ...` and serve until stdin closes or killed."""
    split = argv.index("--")
    mode, rest, (command, *args) = argv[0], argv[1:split], argv[split + 1 :]
    config = {"mcpServers": {"echo": {"command": command, "args": args}}}
    proxy = create_proxy(config, name="fastmcp-proxy")
    if mode == "stdio":
        proxy.run(transport="stdio", show_banner=False)
    else:
        proxy.run(
            transport="http", host="127.0.0.1", port=int(rest[0]), path="/mcp", show_banner=False
        )


if __name__ == "__main__":
    main(sys.argv[1:])
