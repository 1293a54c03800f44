"""Fixtures for the upstream tests: real server processes, no mocks."""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_SERVERS
from tests.upstream._support import StartServer, free_port, wait_for_port


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def http_server(tmp_path: Path) -> AsyncIterator[StartServer]:
    """`await start(argv, path, env=...)` runs an HTTP MCP server on a free port, returns its URL.

    `{port}` in argv is replaced by the port, which is also in the environment as PORT (the
    convention of server-everything). Every server is terminated when the test ends.
    """
    started: list[subprocess.Popen[bytes]] = []

    async def start(argv: list[str], path: str, env: Mapping[str, str] | None = None) -> str:
        port = free_port()
        log = tmp_path / f"server-{port}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [arg.replace("{port}", str(port)) for arg in argv],
                stdout=subprocess.DEVNULL,
                stderr=sink,
                env={**os.environ, "PORT": str(port), **(env or {})},
                cwd=FIXTURE_SERVERS,
            )
        started.append(process)
        await wait_for_port(port, process, log)
        return f"http://127.0.0.1:{port}{path}"

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
