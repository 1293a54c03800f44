"""Shared helpers for Baton's benchmark scripts: commands, ports, process trees, stats, reports.

Every wait here is bounded and every process a benchmark starts is ended with its children, so a
failed sample never leaves servers behind or a port taken.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TextIO

import anyio
import httpx
import psutil
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

__all__ = [
    "BENCH_DIR",
    "ECHO_SERVER",
    "FASTMCP_PROXY",
    "FASTMCP_VERSION",
    "POLL_INTERVAL_SEC",
    "RESULTS_DIR",
    "ServerDied",
    "WrongTools",
    "baton_command",
    "check_tools",
    "describe_error",
    "echo_command",
    "failure_report",
    "free_port",
    "http_session",
    "isolated_env",
    "log_tail",
    "machine_info",
    "mcp_proxy_command",
    "package_versions",
    "peer_python",
    "percentiles",
    "processes_under",
    "ratio",
    "reap",
    "spawn",
    "stdio_session",
    "stop",
    "summarize",
    "times",
    "wait_for_port",
    "with_source",
    "write_json",
]

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
ECHO_SERVER = BENCH_DIR / "servers" / "echo_server.py"
FASTMCP_PROXY = BENCH_DIR / "servers" / "fastmcp_proxy.py"
# FastMCP needs mcp 2.x, Baton pins mcp<2: the peer gets its own venv, made on first use.
PEERS_VENV = BENCH_DIR / ".peers"
# The newest FastMCP whose dependencies all resolve from the registries this project uses.
FASTMCP_VERSION = "4.0.11"
PEERS_INSTALL_TIMEOUT_SEC = 600

# Short enough not to blur a start-up of a few hundred ms; long enough not to steal a core.
POLL_INTERVAL_SEC = 0.005
# How long a server gets to exit after SIGTERM before it and its children are killed.
TERMINATE_GRACE_SEC = 3.0
_LOG_TAIL_LINES = 15


class ServerDied(RuntimeError):
    """The process under test exited before it answered."""


class WrongTools(RuntimeError):
    """A tools/list answer did not hold the tools the case expects."""


def echo_command() -> list[str]:
    """The stdio echo upstream, run by this interpreter (so the venv is used)."""
    return [sys.executable, str(ECHO_SERVER)]


def baton_command() -> list[str]:
    """`python -m baton`, as the tests start it; the console script if there is no __main__."""
    if importlib.util.find_spec("baton.__main__") is not None:
        return [sys.executable, "-m", "baton"]
    return [str(_venv_script("baton"))]


def mcp_proxy_command() -> list[str]:
    """sparfenyuk's mcp-proxy: its console script, else `python -m mcp_proxy`."""
    script = _venv_script("mcp-proxy")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mcp_proxy"]


def _venv_script(name: str) -> Path:
    return Path(sys.executable).parent / name


def peer_python() -> Path:
    """The interpreter of `bench/.peers`, creating the venv with FastMCP pinned on first use."""
    python = PEERS_VENV / "bin" / "python"
    stamp = PEERS_VENV / f".fastmcp-{FASTMCP_VERSION}"
    if stamp.exists():
        return python
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
    print(f"installing fastmcp=={FASTMCP_VERSION} into {PEERS_VENV} (once)", file=sys.stderr)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"fastmcp=={FASTMCP_VERSION}",
        ],
        check=True,
        timeout=PEERS_INSTALL_TIMEOUT_SEC,
    )
    stamp.touch()
    return python


def isolated_env(home: Path) -> dict[str, str]:
    """This environment with the user's Baton and Codex config out of reach, bytecode cached."""
    env = dict(os.environ)
    env.pop("BATON_USER_CONFIG", None)
    # Installed packages come with bytecode; let the warm-up round cache it for the source tree too.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["XDG_CONFIG_HOME"] = str(home / ".config")
    env["CODEX_HOME"] = str(home / ".codex")
    return env


def with_source(env: dict[str, str], src: Path | None) -> dict[str, str]:
    """`env` with another Baton source tree (`--baseline-src`) first on the import path."""
    if src is None:
        return env
    path = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    return {**env, "PYTHONPATH": path}


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS says is free right now (bind port 0, read it, release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def spawn(command: Sequence[str], *, log: Path, env: dict[str, str], cwd: Path) -> psutil.Popen:
    """Start a server with stdin closed and stdout + stderr in `log`, in its own session."""
    with log.open("ab") as sink:
        return psutil.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )


async def wait_for_port(host: str, port: int, process: psutil.Popen) -> None:
    """Return once `host:port` accepts a connection; raise if the process exits first.

    The caller bounds the wait (`anyio.fail_after`); this only polls.
    """
    while True:
        if process.poll() is not None:
            raise ServerDied(f"exited with code {process.returncode} before listening on {port}")
        try:
            stream = await anyio.connect_tcp(host, port)
        except OSError:
            await anyio.sleep(POLL_INTERVAL_SEC)
            continue
        await stream.aclose()
        return


@contextlib.asynccontextmanager
async def stdio_session(
    command: Sequence[str], *, env: dict[str, str], cwd: Path, errlog: TextIO
) -> AsyncIterator[ClientSession]:
    """An uninitialized client session on a stdio server; leaving it closes stdin (SDK shutdown)."""
    params = StdioServerParameters(command=command[0], args=list(command[1:]), env=env, cwd=cwd)
    async with (
        stdio_client(params, errlog=errlog) as (read, write),
        ClientSession(read, write) as session,
    ):
        yield session


@contextlib.asynccontextmanager
async def http_session(client: httpx.AsyncClient, url: str) -> AsyncIterator[ClientSession]:
    """An uninitialized client session on a streamable HTTP endpoint."""
    async with (
        streamable_http_client(url, http_client=client) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        yield session


# The gateway's own tools, listed before the upstreams' `<server>__<tool>` ones.
BATON_OWN_TOOLS = frozenset({"delegate", "delegate_reply", "route", "apply", "runs"})


def check_tools(listed: types.ListToolsResult, expected: set[str], *, where: str) -> None:
    """Raise WrongTools unless one tools/list page holds exactly the expected tool names.

    Baton's own tools (delegate, apply, ...) stand beside the proxied ones and are not counted.
    """
    names = {tool.name for tool in listed.tools} - (BATON_OWN_TOOLS - expected)
    if names != expected or listed.nextCursor is not None:
        more = " and a next page" if listed.nextCursor is not None else ""
        got = f"{sorted(names)}{more}"
        raise WrongTools(f"{where}: tools/list gave {got}, expected {sorted(expected)}")


def processes_under(root: psutil.Process | None = None) -> list[psutil.Process]:
    """`root` (default: this process) and everything it started, or nothing if it has gone."""
    root = root or psutil.Process()
    try:
        children = root.children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return children if root.pid == os.getpid() else [root, *children]


def reap(processes: Iterable[psutil.Process], *, grace: float = TERMINATE_GRACE_SEC) -> int:
    """Give processes `grace` seconds to exit by themselves, then end the rest; return how many.

    Blocking: call it through `anyio.to_thread.run_sync` from async code.
    """
    survivors = _outliving(_unique(processes), grace)
    for process in survivors:
        stop(process)
    return len(survivors)


def stop(process: psutil.Process, *, grace: float = TERMINATE_GRACE_SEC) -> None:
    """SIGTERM, wait up to `grace`, then SIGKILL (and wait as long again). Blocking."""
    for send in (process.terminate, process.kill):
        try:
            send()
        except psutil.NoSuchProcess:
            break
        if not _outliving([process], grace):
            break
    if isinstance(process, psutil.Popen):  # our own child: collect its exit status
        with contextlib.suppress(psutil.TimeoutExpired):
            process.wait(timeout=grace)


def _outliving(processes: Sequence[psutil.Process], timeout: float) -> list[psutil.Process]:
    """The processes still running after `timeout` seconds (polled, so zombies count as gone)."""
    deadline = time.monotonic() + timeout
    alive = [process for process in processes if _running(process)]
    while alive and time.monotonic() < deadline:
        time.sleep(POLL_INTERVAL_SEC)
        alive = [process for process in alive if _running(process)]
    return alive


def _unique(processes: Iterable[psutil.Process]) -> list[psutil.Process]:
    seen: dict[int, psutil.Process] = {}
    for process in processes:
        seen.setdefault(process.pid, process)
    return [process for pid, process in seen.items() if pid != os.getpid()]


def _running(process: psutil.Process) -> bool:
    # An orphan that has exited stays a zombie until PID 1 reaps it, which in some containers
    # takes a second or more; it is gone as far as a benchmark cares.
    try:
        return bool(process.is_running() and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def log_tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    """The last lines of a server's log, for an error message."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def describe_error(error: BaseException) -> str:
    """The distinct leaf exceptions (anyio's exception groups unwrapped), `; `-separated."""
    leaves = Counter(_leaf_messages(error))
    return "; ".join(f"{text} (×{count})" if count > 1 else text for text, count in leaves.items())


def failure_report(error: BaseException, log: Path, reason: str = "") -> str:
    """Why a target failed (`reason`, else the error) and the tail of its server's log."""
    tail = log_tail(log)
    return (reason or describe_error(error)) + (f"\n  log:\n{tail}" if tail else "")


def _leaf_messages(error: BaseException) -> list[str]:
    if isinstance(error, BaseExceptionGroup):
        return [text for inner in error.exceptions for text in _leaf_messages(inner)]
    if isinstance(error, TimeoutError):
        return ["timed out"]
    return [f"{type(error).__name__}: {error}" if str(error) else type(error).__name__]


def summarize(values: Sequence[float]) -> dict[str, float]:
    """min / median / max of a list of milliseconds (empty dict for no values)."""
    if not values:
        return {}
    return {
        "min": round(min(values), 2),
        "median": round(statistics.median(values), 2),
        "max": round(max(values), 2),
    }


def ratio(value: float | None, base: float | None) -> float | None:
    """`value / base` to three places, or None when either is missing (or `base` is zero)."""
    return round(value / base, 3) if value is not None and base else None


def times(value: float | None) -> str:
    """A ratio for a table cell: `1.25×`, or `-` when there is none."""
    return f"{value:.2f}×" if value is not None else "-"


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50 / p95 / p99 (nearest rank) and mean of a list of milliseconds (empty for none)."""
    if not values:
        return {}
    ordered = sorted(values)

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return {
        "p50": round(rank(0.50), 3),
        "p95": round(rank(0.95), 3),
        "p99": round(rank(0.99), 3),
        "mean": round(statistics.fmean(ordered), 3),
    }


def package_versions(*names: str) -> dict[str, str]:
    """Installed distribution versions; 'not installed' where missing."""
    found: dict[str, str] = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def machine_info() -> dict[str, Any]:
    """What a reader needs to compare two result files."""
    return {
        "cpu_count": os.cpu_count(),
        "cpu_count_physical": psutil.cpu_count(logical=False),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write a result file, creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
