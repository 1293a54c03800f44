"""`baton demo --gateway`: the gateway in front of the MCP reference server on three transports.

It plays seed 003's cases for real: a local stdio server, a streamable-HTTP server, and one that
only speaks the deprecated HTTP+SSE transport, all behind one `baton serve`, driven by a real MCP
client standing in for the lead agent (`_demo_run`).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import typer

from baton.cli._app import emit, stderr, stdout

__all__ = ["gateway_demo"]

EVERYTHING_PACKAGE = "@modelcontextprotocol/server-everything@2026.8.31"
# Node servers take a moment to bind; the demo gives up on one after this long.
HTTP_SERVER_READY_SEC = 30.0


def _everything_command() -> list[str]:
    for base in (Path.cwd(), Path(__file__).resolve().parents[3]):
        local = base / "node_modules" / ".bin" / "mcp-server-everything"
        if local.exists():
            return [str(local)]
    if shutil.which("npx") is None:
        raise typer.BadParameter("the demo needs Node.js (npx) for the MCP reference server")
    return ["npx", "-y", EVERYTHING_PACKAGE]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + HTTP_SERVER_READY_SEC
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"reference server exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"reference server did not listen on port {port}")


def _start_http_servers(stack: ExitStack, command: list[str]) -> dict[str, int]:
    ports = {}
    for mode in ("streamableHttp", "sse"):
        port = _free_port()
        env = {**_inherited_env(), "PORT": str(port)}
        process = subprocess.Popen(
            [*command, mode], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        stack.callback(_stop, process)
        _wait_for_port(port, process)
        ports[mode] = port
    return ports


def _inherited_env() -> dict[str, str]:
    import os

    return dict(os.environ)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


def _write_project(root: Path, command: list[str], ports: dict[str, int]) -> Path:
    config = root / "baton.toml"
    args = ", ".join(f'"{arg}"' for arg in [*command[1:], "stdio"])
    config.write_text(
        "# Written by `baton demo`: seed 003's three kinds of server, behind one gateway.\n"
        "[servers.local]\n"
        f'command = "{command[0]}"\nargs = [{args}]\nstartup_timeout_sec = 30\n\n'
        "[servers.remote]\n"
        f'url = "http://127.0.0.1:{ports["streamableHttp"]}/mcp"\n\n'
        "[servers.legacy]  # speaks only the deprecated HTTP+SSE transport\n"
        f'url = "http://127.0.0.1:{ports["sse"]}/sse"\n'
    )
    return config


def gateway_demo(as_json: bool, keep: bool) -> None:
    """Show the gateway at work: three upstream transports, one MCP server for the lead."""
    import anyio

    from baton.cli._demo_run import run_demo

    command = _everything_command()
    with ExitStack() as stack:
        root = Path(tempfile.mkdtemp(prefix="baton-demo-"))
        if not keep:
            stack.callback(shutil.rmtree, root, True)
        if not as_json:
            stderr.print(
                "[bold]baton demo --gateway[/] — the MCP reference server on stdio, streamable "
                "HTTP and legacy SSE, behind one `baton serve`."
            )
        ports = _start_http_servers(stack, command)
        config = _write_project(root, command, ports)
        report: dict[str, Any] = anyio.run(run_demo, config, as_json)
        report["project"] = str(root) if keep else None
    emit(report, as_json, lambda data: _render(data))
    if not report["ok"]:
        raise typer.Exit(1)


def _render(report: dict[str, Any]) -> None:
    from rich.table import Table

    servers = Table(title="upstream servers (baton servers doctor)")
    for column in ("server", "transport found", "handshake", "tools", "start-up ms"):
        servers.add_column(column)
    for row in report["servers"]:
        servers.add_row(
            row["server"],
            str(row["transport"]["found"]),
            row["handshake"],
            str(row["tool_count"]),
            f"{row['startup_ms'] or 0:.0f}",
        )
    stdout.print(servers)
    calls = Table(title="calls a lead made through `baton serve`")
    for column in ("tool", "ms", "result"):
        calls.add_column(column)
    for row in report["calls"]:
        calls.add_row(row["tool"], f"{row['ms']:.0f}", row["result"])
    stdout.print(calls)
    stdout.print(
        f"{report['tool_count']} tools exposed as <server>__<tool>, beside Baton's own "
        f"({', '.join(report['own_tools'])}); "
        f"{report['progress_updates']} progress updates forwarded."
    )
    if sys.stdout.isatty() and report.get("project"):
        stdout.print(f"project kept at {report['project']}")
