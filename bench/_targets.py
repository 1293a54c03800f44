"""What the load benchmarks measure: the echo server reached directly, or through a gateway.

A `Target` starts one server process (a gateway with one echo upstream behind it, or the echo
server alone), hands back a lean client already through the MCP handshake and `tools/list`, and
the gateway's own process, so `memory.py` can read its RSS and its upstreams' apart. Leaving the
context ends every process the target started, children included.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import anyio
import psutil
import tomlkit
from _client import McpClient, handshake, http_client, stdio_client
from _common import (
    FASTMCP_PROXY,
    baton_command,
    echo_command,
    free_port,
    isolated_env,
    mcp_proxy_command,
    peer_python,
    processes_under,
    reap,
    spawn,
    stop,
    wait_for_port,
    with_source,
)

__all__ = ["TARGETS", "Running", "Target", "Workspace", "targets_for"]

HOST = "127.0.0.1"
# A server that has not listened or answered tools/list in this time is broken, not slow.
START_TIMEOUT_SEC = 60.0


@dataclass
class Workspace:
    """A scratch directory: configs, an isolated HOME, logs; optionally a second Baton source."""

    root: Path
    baseline_src: Path | None = None  # `--baseline-src`: the Baton to compare against

    def __post_init__(self) -> None:
        (self.root / "logs").mkdir(exist_ok=True)
        self.env = isolated_env(self.root / "home")

    def log(self, name: str) -> Path:
        """The log file of one target start (appended to across runs)."""
        return self.root / "logs" / f"{name}.log"

    def baton_env(self, baseline: bool) -> dict[str, str]:
        """The environment for a Baton process: the baseline source first on the path if asked."""
        return with_source(self.env, self.baseline_src if baseline else None)

    def baton_config(self) -> Path:
        """A baton.toml with one stdio echo upstream named `echo`."""
        command, *args = echo_command()
        path = self.root / "baton.toml"
        servers = {"echo": {"command": command, "args": args}}
        path.write_text(tomlkit.dumps({"servers": servers}), encoding="utf-8")
        return path


@dataclass
class Running:
    """A started target: the client to load it with and the process to watch."""

    client: McpClient
    process: psutil.Process  # the gateway (or, for `direct`, the echo server itself)
    tool: str

    def upstreams(self) -> list[psutil.Process]:
        """Every process the gateway started (the echo server, wrappers)."""
        return [p for p in processes_under(self.process) if p.pid != self.process.pid]


Command = Callable[[Workspace, int], list[str]]  # (workspace, port) -> argv; port 0 for stdio


@dataclass(frozen=True)
class Target:
    """One way of reaching the echo tool."""

    name: str
    label: str
    transport: str  # what the client speaks: stdio | http
    command: Command
    tool: str = "echo"
    baseline: bool = False  # run Baton from `--baseline-src`
    peer: bool = False  # a peer other than Baton (ratios are taken against these)

    @contextlib.asynccontextmanager
    async def start(self, ws: Workspace) -> AsyncIterator[Running]:
        """Start, handshake, list tools (checking the tool is there); stop everything on exit."""
        env = ws.baton_env(self.baseline)
        opener = _start_stdio if self.transport == "stdio" else _start_http
        async with opener(self, ws, env) as running:
            with anyio.fail_after(START_TIMEOUT_SEC):
                await handshake(running.client)
                listed = await running.client.request("tools/list")
            names = [tool["name"] for tool in listed["tools"]]
            if self.tool not in names:
                raise RuntimeError(f"{self.name}: tools/list gave {names}, not {self.tool!r}")
            yield running


@contextlib.asynccontextmanager
async def _start_stdio(
    target: Target, ws: Workspace, env: dict[str, str]
) -> AsyncIterator[Running]:
    seen: list[psutil.Process] = []
    with ws.log(target.name).open("a", encoding="utf-8") as errlog:
        try:
            command = target.command(ws, 0)
            async with stdio_client(command, env=env, cwd=ws.root, errlog=errlog) as (client, proc):
                root = psutil.Process(proc.pid)
                try:
                    yield Running(client, root, target.tool)
                finally:
                    seen.extend(processes_under(root))
            await anyio.to_thread.run_sync(partial(reap, seen))
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(partial(reap, seen, grace=0))


@contextlib.asynccontextmanager
async def _start_http(target: Target, ws: Workspace, env: dict[str, str]) -> AsyncIterator[Running]:
    port = free_port(HOST)
    root = spawn(target.command(ws, port), log=ws.log(target.name), env=env, cwd=ws.root)
    seen: list[psutil.Process] = []
    try:
        with anyio.fail_after(START_TIMEOUT_SEC):
            await wait_for_port(HOST, port, root)
        async with http_client(f"http://{HOST}:{port}/mcp") as client:
            seen.extend(processes_under(root))
            yield Running(client, root, target.tool)
    finally:
        tree = [*seen, *processes_under(root)]
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(stop, root)
            await anyio.to_thread.run_sync(partial(reap, tree, grace=0))


# ---------------------------------------------------------------------------------------------
# The commands


def _direct_stdio(ws: Workspace, port: int) -> list[str]:
    return echo_command()


def _direct_http(ws: Workspace, port: int) -> list[str]:
    return [*echo_command(), "--http", str(port)]


def _baton_serve(transport: str) -> Command:
    def command(ws: Workspace, port: int) -> list[str]:
        argv = [*baton_command(), "serve", "--config", str(ws.baton_config())]
        if transport == "http":
            argv += ["--transport", "http", "--host", HOST, "--port", str(port)]
        return argv

    return command


def _baton_proxy(ws: Workspace, port: int) -> list[str]:
    return [*baton_command(), "proxy", "echo", "--config", str(ws.baton_config())]


def _mcp_proxy(ws: Workspace, port: int) -> list[str]:
    # Baton logs warnings only by default; ask the same of mcp-proxy (its default is INFO).
    argv = [*mcp_proxy_command(), "--host", HOST, "--port", str(port), "--log-level", "WARNING"]
    return [*argv, "--", *echo_command()]


def _fastmcp(transport: str) -> Command:
    def command(ws: Workspace, port: int) -> list[str]:
        mode = ["stdio"] if transport == "stdio" else ["http", str(port)]
        return [str(peer_python()), str(FASTMCP_PROXY), *mode, "--", *echo_command()]

    return command


TARGETS: tuple[Target, ...] = (
    Target("direct-stdio", "direct", "stdio", _direct_stdio),
    Target("baton-serve-stdio", "baton serve", "stdio", _baton_serve("stdio"), "echo__echo"),
    Target("baton-proxy-stdio", "baton proxy", "stdio", _baton_proxy),
    Target("fastmcp-stdio", "fastmcp proxy", "stdio", _fastmcp("stdio"), peer=True),
    Target("direct-http", "direct", "http", _direct_http),
    Target("baton-serve-http", "baton serve", "http", _baton_serve("http"), "echo__echo"),
    Target("mcp-proxy-http", "mcp-proxy", "http", _mcp_proxy, peer=True),
    Target("fastmcp-http", "fastmcp proxy", "http", _fastmcp("http"), peer=True),
)
_BATON = {"baton-serve-stdio", "baton-proxy-stdio", "baton-serve-http"}


def targets_for(names: Sequence[str], *, baseline: bool) -> list[Target]:
    """The chosen targets in table order; with `baseline`, each Baton one twice (before/after)."""
    chosen: list[Target] = []
    for target in TARGETS:
        if target.name not in names:
            continue
        chosen.append(target)
        if baseline and target.name in _BATON:
            chosen.append(
                Target(
                    f"{target.name}-baseline",
                    f"{target.label} (baseline)",
                    target.transport,
                    target.command,
                    target.tool,
                    baseline=True,
                )
            )
    return chosen
