"""Helpers for the upstream tests: fixture-server configs, free ports, process bookkeeping."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import psutil
import pytest
from mcp import types

from baton.config.schema import ServerConfig
from tests.conftest import FIXTURE_SERVERS, NODE_BIN

FAULTY = FIXTURE_SERVERS / "faulty.py"
EVERYTHING = NODE_BIN / "mcp-server-everything"

# The token the bearer.py fixture expects; tests check it never shows up anywhere.
TOKEN = "tok-0123456789-very-secret"

# Starting a Python or node server from cold takes a second or two; CI machines are slower.
SERVER_READY_TIMEOUT_SEC = 20.0

StartServer = Callable[..., Awaitable[str]]  # the `http_server` fixture

requires_everything = pytest.mark.skipif(
    not EVERYTHING.exists(),
    reason=f"{EVERYTHING} is missing: install the npm peers (`npm install` / `make install`)",
)


def faulty(**overrides: Any) -> ServerConfig:
    """A ServerConfig running tests/fixtures/servers/faulty.py over stdio; `overrides` win."""
    return ServerConfig.model_validate(
        {"command": sys.executable, "args": [str(FAULTY)], **overrides}
    )


def text_of(result: types.CallToolResult) -> str:
    """The text blocks of a tool result, joined."""
    return " ".join(block.text for block in result.content if isinstance(block, types.TextContent))


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Return once something accepts connections on `port`; fail if the server dies first."""
    with anyio.fail_after(SERVER_READY_TIMEOUT_SEC):
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited with {process.returncode}: {log.read_text()[-2000:]}")
            try:
                stream = await anyio.connect_tcp("127.0.0.1", port)
            except OSError:
                await anyio.sleep(0.05)  # a port cannot be waited on any other way
                continue
            await stream.aclose()
            return


def descendants() -> list[psutil.Process]:
    """Every live process below this one."""
    return [p for p in psutil.Process().children(recursive=True) if alive(p)]


def alive(process: psutil.Process) -> bool:
    """Running and not a zombie."""
    try:
        return bool(process.is_running() and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


class LogWatch:
    """Collects an upstream's log lines; `await watch.seen(prefix)` waits for one to arrive."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._arrived = anyio.Event()

    async def on_log(self, server: str, params: types.LoggingMessageNotificationParams) -> None:
        self.lines.append(str(params.data))
        self._arrived.set()

    async def seen(self, prefix: str) -> str:
        while not (found := [line for line in self.lines if line.startswith(prefix)]):
            await self._arrived.wait()
            self._arrived = anyio.Event()
        return found[0]


async def legacy_sse(http_server: StartServer) -> str:
    """Start tests/fixtures/servers/legacy_sse.py; its /sse URL."""
    return await http_server([sys.executable, "legacy_sse.py", "--port", "{port}"], "/sse")


async def bearer(http_server: StartServer) -> str:
    """Start tests/fixtures/servers/bearer.py expecting TOKEN; its /mcp URL."""
    argv = [sys.executable, "bearer.py", "--port", "{port}"]
    return await http_server(argv, "/mcp", env={"EXPECTED_TOKEN": TOKEN})
