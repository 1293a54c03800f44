"""`baton serve` over streamable HTTP, `--no-prefix`, `baton proxy`, and clean shutdown."""

from __future__ import annotations

import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import anyio
import psutil
import pytest
from mcp import ClientSession, types
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import baton_command, fixture_server
from tests.gateway._client import baton_serve, session_on, write_config

pytestmark = pytest.mark.anyio


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def text_of(result: types.CallToolResult) -> str:
    return " ".join(block.text for block in result.content if isinstance(block, types.TextContent))


@pytest.fixture
def one_server(tmp_path: Path) -> Path:
    command = fixture_server("faulty.py")
    return write_config(
        tmp_path / "baton.toml", {"faulty": {"command": command[0], "args": command[1:]}}
    )


@pytest.fixture
def http_gateway(one_server: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        baton_serve(one_server, "--transport", "http", "--port", str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    """Poll until the port accepts connections; bounded, fails with the gateway's stderr."""
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode() if process.stderr else "exited")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"gateway did not listen on {port}")


async def test_streamable_http_gateway_serves_tools(http_gateway: str) -> None:
    with anyio.fail_after(60):
        async with (
            streamable_http_client(http_gateway) as (read, write, _),
            ClientSession(read, write) as lead,
        ):
            await lead.initialize()
            names = {tool.name for tool in (await lead.list_tools()).tools}
            result = await lead.call_tool("faulty__echo", {"message": "over http"})
    assert "faulty__echo" in names
    assert text_of(result) == "over http"


async def test_no_prefix_is_a_transparent_proxy(one_server: Path) -> None:
    with anyio.fail_after(60):
        async with session_on(fixture_server("faulty.py")) as direct:
            expected = await direct.list_tools()
        async with session_on(baton_serve(one_server, "--no-prefix")) as lead:
            listed = await lead.list_tools()
            result = await lead.call_tool("echo", {"message": "plain name"})
    assert listed.model_dump() == expected.model_dump()
    assert text_of(result) == "plain name"


def test_no_prefix_with_two_servers_is_a_usage_error(tmp_path: Path) -> None:
    command = fixture_server("faulty.py")
    entry = {"command": command[0], "args": command[1:]}
    config = write_config(tmp_path / "baton.toml", {"a": entry, "b": entry})
    done = subprocess.run(
        baton_serve(config, "--no-prefix"), capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert "exactly one" in done.stderr and "a, b" in done.stderr


async def test_proxy_exposes_one_server_unchanged(tmp_path: Path) -> None:
    command = fixture_server("faulty.py")
    entry = {"command": command[0], "args": command[1:]}
    config = write_config(tmp_path / "baton.toml", {"faulty": entry, "other": entry})
    proxy = [*baton_command(), "proxy", "faulty", "--config", str(config)]
    with anyio.fail_after(60):
        async with session_on(fixture_server("faulty.py")) as direct:
            expected = await direct.list_tools()
        async with session_on(proxy) as lead:
            listed = await lead.list_tools()
            result = await lead.call_tool("echo", {"message": "proxied"})
    assert listed.model_dump() == expected.model_dump()
    assert text_of(result) == "proxied"


def test_proxy_of_an_unknown_server_names_the_known_ones(one_server: Path) -> None:
    done = subprocess.run(
        [*baton_command(), "proxy", "nope", "--config", str(one_server)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and "nope" in done.stderr and "faulty" in done.stderr


def test_closing_stdin_stops_the_gateway_and_every_upstream(one_server: Path) -> None:
    """No orphan processes: the upstream dies with the gateway."""
    process = subprocess.Popen(
        baton_serve(one_server), stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    children = started_upstreams(process)
    assert process.stdin
    process.stdin.close()
    assert process.wait(timeout=30) == 0
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"orphans left: {[p.pid for p in alive]}"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_stdio_gateway_after_closing_its_upstreams(
    one_server: Path, sig: signal.Signals
) -> None:
    process = subprocess.Popen(
        baton_serve(one_server), stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    children = started_upstreams(process)
    process.send_signal(sig)
    assert process.wait(timeout=30) == 0
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"orphans left: {[p.pid for p in alive]}"


def test_sigterm_stops_the_http_gateway_after_closing_its_upstreams(one_server: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        baton_serve(one_server, "--transport", "http", "--port", str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wait_for_port(port, process)
    anyio.run(_list_over_http, f"http://127.0.0.1:{port}/mcp")
    children = psutil.Process(process.pid).children(recursive=True)
    assert children, "the upstream should be running after tools/list"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"orphans left: {[p.pid for p in alive]}"


def test_a_port_in_use_is_a_clear_error(one_server: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            baton_serve(one_server, "--transport", "http", "--port", str(port)),
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr


async def _list_over_http(url: str) -> None:
    async with streamable_http_client(url) as (read, write, _), ClientSession(read, write) as lead:
        await lead.initialize()
        await lead.list_tools()


def started_upstreams(process: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """Initialize and list tools over raw stdio; return the upstream processes then running."""
    import json

    assert process.stdin and process.stdout
    for message in (
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}},
    ):
        process.stdin.write((json.dumps(message) + "\n").encode())
        process.stdin.flush()
    assert json.loads(process.stdout.readline())["id"] == 1
    assert json.loads(process.stdout.readline())["id"] == 2
    children = psutil.Process(process.pid).children(recursive=True)
    assert children, "the upstream should be running after tools/list"
    return children
