"""Start-up benchmark: spawn → `initialize` answered, and spawn → first `tools/list` answered.

Cases, each with 1 and 10 copies of `servers/echo_server.py` as upstreams:

- direct       the echo server(s) alone over stdio, one client each: the floor. With 10, all are
               spawned at once and the times are the slowest server's.
- baton-stdio  `baton serve` over stdio; one tools/list must return every upstream's tool.
- mcp-proxy    sparfenyuk's mcp-proxy over streamable HTTP: `/mcp` for one upstream, the 10
               `/servers/NAME/mcp` endpoints (each initialized and listed) for ten.
- baton-http   `baton serve --transport http`, measured exactly like mcp-proxy.

For the HTTP cases "initialize" includes polling the port until the server listens. Samples are
taken round-robin (one of each case per round) so drift in machine load hits every case alike.

    .venv/bin/python bench/startup.py [--runs N] [--json-out PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import httpx
import psutil
import tomlkit
from _common import (
    RESULTS_DIR,
    baton_command,
    check_tools,
    echo_command,
    failure_report,
    free_port,
    http_session,
    isolated_env,
    machine_info,
    mcp_proxy_command,
    package_versions,
    processes_under,
    ratio,
    reap,
    spawn,
    stdio_session,
    stop,
    summarize,
    times,
    wait_for_port,
    with_source,
    write_json,
)
from mcp import ClientSession
from rich.console import Console
from rich.markup import escape
from rich.table import Table

HOST = "127.0.0.1"
UPSTREAM_COUNTS = (1, 10)
# Ten Python servers on two cores take seconds; a hang must cost a minute, not the whole run.
SAMPLE_TIMEOUT_SEC = 60.0
# Upstreams exit on stdin EOF in milliseconds; alive this long after being let go is a leak.
EXIT_GRACE_SEC = 3.0

# Piped output (CI logs, `| tee`) gets room for the whole table instead of rich's 80 columns.
console = Console(width=None if sys.stdout.isatty() else 110)
errors = Console(stderr=True, soft_wrap=True)

SessionOpener = Callable[[], AbstractAsyncContextManager[ClientSession]]


@dataclass
class Sample:
    """One spawn of one case, in milliseconds from spawn."""

    init_ms: float
    list_ms: float
    upstream_list_ms: list[float]  # per client session, when the case opens several
    shutdown_ms: float  # from letting go (stdin closed / SIGTERM) until every process was gone
    left_running: int  # processes still alive EXIT_GRACE_SEC after letting go, ended by the bench


@dataclass
class Workspace:
    """A scratch directory: config files, an isolated HOME, and one log per sample."""

    root: Path
    baseline_src: Path | None = None  # `--baseline-src`: the Baton to compare against

    def __post_init__(self) -> None:
        (self.root / "logs").mkdir()
        self.env = isolated_env(self.root / "home")

    def baton_env(self, baseline: bool) -> dict[str, str]:
        """The environment for a Baton process: the baseline source first on the path if asked."""
        return with_source(self.env, self.baseline_src if baseline else None)

    def log(self, name: str) -> Path:
        """A fresh log file for one sample."""
        path = self.root / "logs" / f"{name}.log"
        path.unlink(missing_ok=True)
        return path

    def baton_config(self, count: int) -> Path:
        """A baton.toml with `count` echo upstreams."""
        command, *args = echo_command()
        servers = {name: {"command": command, "args": args} for name in upstream_names(count)}
        path = self.root / f"baton-{count}.toml"
        path.write_text(tomlkit.dumps({"servers": servers}), encoding="utf-8")
        return path

    def mcp_proxy_config(self, count: int) -> Path:
        """An mcp-proxy --named-server-config file with `count` echo upstreams."""
        command, *args = echo_command()
        servers = {name: {"command": command, "args": args} for name in upstream_names(count)}
        path = self.root / f"mcp-proxy-{count}.json"
        path.write_text(json.dumps({"mcpServers": servers}), encoding="utf-8")
        return path


def upstream_names(count: int) -> list[str]:
    """The same upstream names in every case, so tool names line up."""
    return [f"echo{index}" for index in range(count)]


def baton_tools(count: int) -> set[str]:
    """What Baton's tools/list must hold: every upstream's `echo`, prefixed."""
    return {f"{name}__echo" for name in upstream_names(count)}


# ---------------------------------------------------------------------------------------------
# Measuring one sample


@dataclass
class _Held:
    timings: list[tuple[float, float]] = field(default_factory=list)
    released_at: float = 0.0


def _ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


async def _hold_sessions(
    openers: Sequence[SessionOpener],
    expected: Sequence[set[str]],
    start: float,
    seen: list[psutil.Process],
    snapshot: Callable[[], list[psutil.Process]],
) -> _Held:
    """Open, initialize and list every session at once; close them all once all have listed.

    Each session adds the process tree it saw to `seen` before it closes, also when it fails, so
    the caller can end whatever outlives the sample.
    """
    held = _Held()
    all_listed = anyio.Event()
    release = anyio.Event()

    async def one(opener: SessionOpener, tools: set[str], where: str) -> None:
        async with opener() as session:
            try:
                await session.initialize()
                init_ms = _ms_since(start)
                check_tools(await session.list_tools(), tools, where=where)
                held.timings.append((init_ms, _ms_since(start)))
                if len(held.timings) == len(openers):
                    all_listed.set()
                await release.wait()
            finally:
                seen.extend(snapshot())

    async with anyio.create_task_group() as group:
        for index, (opener, tools) in enumerate(zip(openers, expected, strict=True)):
            group.start_soon(one, opener, tools, f"session {index + 1}/{len(openers)}")
        await all_listed.wait()
        held.released_at = time.perf_counter()
        release.set()
    return held


def _sample(held: _Held, shutdown_ms: float, left_running: int) -> Sample:
    inits, lists = zip(*held.timings, strict=True)
    return Sample(
        init_ms=round(max(inits), 2),
        list_ms=round(max(lists), 2),
        upstream_list_ms=sorted(round(value, 2) for value in lists) if len(lists) > 1 else [],
        shutdown_ms=round(shutdown_ms, 2),
        left_running=left_running,
    )


async def probe_stdio(
    commands: Sequence[Sequence[str]],
    expected: Sequence[set[str]],
    ws: Workspace,
    log: Path,
    env: dict[str, str] | None = None,
) -> Sample:
    """Spawn stdio servers through the SDK client; leaving the sessions closes their stdin."""
    seen: list[psutil.Process] = []
    with log.open("a", encoding="utf-8") as errlog:
        openers = [
            partial(stdio_session, command, env=env or ws.env, cwd=ws.root, errlog=errlog)
            for command in commands
        ]
        start = time.perf_counter()
        try:
            held = await _hold_sessions(openers, expected, start, seen, processes_under)
            left = await anyio.to_thread.run_sync(partial(reap, seen, grace=EXIT_GRACE_SEC))
            return _sample(held, _ms_since(held.released_at), left)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(partial(reap, [*seen, *processes_under()], grace=0))


async def probe_http(
    command: Sequence[str],
    port: int,
    expected: dict[str, set[str]],
    ws: Workspace,
    log: Path,
    env: dict[str, str] | None = None,
) -> Sample:
    """Spawn an HTTP server, poll its port, then initialize and list every endpoint at once."""
    seen: list[psutil.Process] = []
    start = time.perf_counter()
    root = spawn(command, log=log, env=env or ws.env, cwd=ws.root)
    try:
        await wait_for_port(HOST, port, root)
        async with httpx.AsyncClient(timeout=SAMPLE_TIMEOUT_SEC) as client:
            openers = [
                partial(http_session, client, f"http://{HOST}:{port}{path}") for path in expected
            ]
            held = await _hold_sessions(
                openers, list(expected.values()), start, seen, partial(processes_under, root)
            )
        # An HTTP server runs until told to stop: SIGTERM it, then its upstreams must follow.
        left = await anyio.to_thread.run_sync(partial(_stop_server, root, seen))
        return _sample(held, _ms_since(held.released_at), left)
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(partial(_stop_server, root, seen, grace=0))


def _stop_server(
    root: psutil.Popen, seen: list[psutil.Process], grace: float = EXIT_GRACE_SEC
) -> int:
    tree = [*seen, *processes_under(root)]
    stop(root)
    return reap(tree, grace=grace)


# ---------------------------------------------------------------------------------------------
# The cases


async def measure_direct(ws: Workspace, count: int, log: Path) -> Sample:
    """`count` echo servers, one stdio client each, all spawned at once."""
    return await probe_stdio([echo_command()] * count, [{"echo"}] * count, ws, log)


async def measure_baton_stdio(
    ws: Workspace, count: int, log: Path, *, baseline: bool = False
) -> Sample:
    """`baton serve` over stdio with `count` upstreams (from `--baseline-src` if `baseline`)."""
    command = [*baton_command(), "serve", "--config", str(ws.baton_config(count))]
    return await probe_stdio([command], [baton_tools(count)], ws, log, ws.baton_env(baseline))


async def measure_baton_http(
    ws: Workspace, count: int, log: Path, *, baseline: bool = False
) -> Sample:
    """`baton serve --transport http` with `count` upstreams, one session at /mcp."""
    port = free_port(HOST)
    config = str(ws.baton_config(count))
    command = [*baton_command(), "serve", "--config", config, "--transport", "http"]
    command += ["--host", HOST, "--port", str(port)]
    expected = {"/mcp": baton_tools(count)}
    return await probe_http(command, port, expected, ws, log, ws.baton_env(baseline))


async def measure_mcp_proxy(ws: Workspace, count: int, log: Path) -> Sample:
    """mcp-proxy with one default server at /mcp, or `count` named servers."""
    port = free_port(HOST)
    # Baton logs warnings only by default; ask the same of mcp-proxy (its default is INFO).
    command = [*mcp_proxy_command(), "--host", HOST, "--port", str(port), "--log-level", "WARNING"]
    if count == 1:
        command += ["--", *echo_command()]
        paths = ["/mcp"]
    else:
        command += ["--named-server-config", str(ws.mcp_proxy_config(count))]
        paths = [f"/servers/{name}/mcp" for name in upstream_names(count)]
    return await probe_http(command, port, {path: {"echo"} for path in paths}, ws, log)


Measure = Callable[[Workspace, int, Path], Awaitable[Sample]]


@dataclass(frozen=True)
class Kind:
    """One thing to start: how it is reached and how to measure it."""

    name: str
    label: str
    transport: str
    measure: Measure


KINDS = (
    Kind("direct", "direct (stdio)", "stdio", measure_direct),
    Kind("baton-stdio", "baton (stdio)", "stdio", measure_baton_stdio),
    Kind("mcp-proxy", "mcp-proxy (http)", "http", measure_mcp_proxy),
    Kind("baton-http", "baton (http)", "http", measure_baton_http),
)
# With --baseline-src: the same Baton cases, run from another checkout's src/.
BASELINE_KINDS = (
    Kind(
        "baton-stdio-baseline",
        "baton (stdio, baseline)",
        "stdio",
        partial(measure_baton_stdio, baseline=True),
    ),
    Kind(
        "baton-http-baseline",
        "baton (http, baseline)",
        "http",
        partial(measure_baton_http, baseline=True),
    ),
)


@dataclass
class CaseResult:
    """Every sample of one kind at one upstream count, or why it stopped."""

    kind: Kind
    upstreams: int
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None

    @property
    def key(self) -> str:
        """`baton-stdio-10` and the like: log names and JSON."""
        return f"{self.kind.name}-{self.upstreams}"

    def list_median(self) -> float | None:
        """Median spawn → tools/list, if the case ran."""
        if self.error or not self.samples:
            return None
        return summarize([sample.list_ms for sample in self.samples])["median"]


# ---------------------------------------------------------------------------------------------
# Running and reporting


async def run_sample(result: CaseResult, ws: Workspace, label: str) -> Sample | None:
    """One sample; a failure marks the case failed (with the server's log) instead of raising."""
    log = ws.log(f"{result.key}-{label}")
    try:
        with anyio.fail_after(SAMPLE_TIMEOUT_SEC):
            return await result.kind.measure(ws, result.upstreams, log)
    except Exception as error:  # the boundary of one sample: any failure fails this case only
        reason = (
            f"timed out after {SAMPLE_TIMEOUT_SEC:.0f}s" if isinstance(error, TimeoutError) else ""
        )
        result.error = failure_report(error, log, reason)
        return None


async def run_all(
    results: list[CaseResult], runs: int, warmup: int, baseline_src: Path | None = None
) -> None:
    """Round-robin: one sample of every case per round; warm-up rounds are not recorded."""
    with tempfile.TemporaryDirectory(prefix="baton-bench-") as scratch:
        ws = Workspace(Path(scratch), baseline_src)
        for round_index in range(warmup + runs):
            warming = round_index < warmup
            label = f"warmup{round_index + 1}" if warming else f"run{round_index - warmup + 1}"
            console.print(f"[dim]{label}[/dim]", end=" ")
            for result in results:
                if result.error is None:
                    sample = await run_sample(result, ws, label)
                    if sample is not None and not warming:
                        result.samples.append(sample)
        console.print()


def summarize_cases(results: list[CaseResult]) -> list[dict[str, Any]]:
    """Per case: min/median/max, list-time ratios to direct and mcp-proxy, and the raw samples."""
    medians = {(r.kind.name, r.upstreams): r.list_median() for r in results}
    summaries = []
    for result in results:
        median = medians[(result.kind.name, result.upstreams)]
        direct = medians.get(("direct", result.upstreams))
        proxy = medians.get(("mcp-proxy", result.upstreams))
        summaries.append(
            {
                "case": result.key,
                "label": result.kind.label,
                "transport": result.kind.transport,
                "upstreams": result.upstreams,
                "error": result.error,
                "init_ms": summarize([s.init_ms for s in result.samples]),
                "list_ms": summarize([s.list_ms for s in result.samples]),
                "list_vs_direct": ratio(median, direct),
                "list_vs_mcp_proxy": ratio(median, proxy),
                "samples": [asdict(sample) for sample in result.samples],
            }
        )
    return summaries


def render(summaries: list[dict[str, Any]], runs: int) -> Table:
    """The table: medians with min–max, and list-time ratios against the two baselines."""
    table = Table(title=f"start-up, ms from spawn: median (min–max) of {runs} runs")
    table.add_column("case")
    numbers = ("upstreams", "→ initialize", "→ tools/list", "list ÷ direct", "list ÷ mcp-proxy")
    for column in numbers:
        table.add_column(column, justify="right")
    for case in summaries:
        failed = case["error"] is not None
        table.add_row(
            case["label"],
            str(case["upstreams"]),
            "[red]failed[/red]" if failed else _spread(case["init_ms"]),
            "[red]failed[/red]" if failed else _spread(case["list_ms"]),
            times(case["list_vs_direct"]),
            times(case["list_vs_mcp_proxy"]),
        )
    return table


def _spread(stats: dict[str, float]) -> str:
    return f"{stats['median']:.0f} ({stats['min']:.0f}–{stats['max']:.0f})" if stats else "-"


def report(
    summaries: list[dict[str, Any]], args: argparse.Namespace, machine: dict[str, Any]
) -> dict[str, Any]:
    """Everything for the JSON file: raw samples, summaries, machine and versions."""
    machine = {**machine, "load_average_after": machine_info()["load_average"]}
    return {
        "benchmark": "startup",
        "command": sys.argv,
        "runs": args.runs,
        "warmup": args.warmup,
        "sample_timeout_sec": SAMPLE_TIMEOUT_SEC,
        "machine": machine,
        "versions": package_versions("baton-mcp", "mcp", "mcp-proxy"),
        "commands": {"baton": baton_command(), "mcp-proxy": mcp_proxy_command()},
        "cases": summaries,
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7, help="recorded samples per case (7)")
    parser.add_argument("--warmup", type=int, default=1, help="unrecorded rounds first (1)")
    parser.add_argument(
        "--baseline-src", type=Path, help="another Baton src/ dir, run as extra baseline cases"
    )
    parser.add_argument(
        "--json-out", type=Path, default=RESULTS_DIR / "startup.json", help="result file"
    )
    parser.add_argument(
        "--cases",
        default=",".join(kind.name for kind in KINDS),
        help="comma-separated subset of: " + ", ".join(kind.name for kind in KINDS),
    )
    args = parser.parse_args(argv)
    known = {kind.name for kind in KINDS}
    chosen = [name.strip() for name in args.cases.split(",") if name.strip()]
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")
    unknown = sorted(set(chosen) - known)
    if unknown or not chosen:
        parser.error(f"unknown --cases {unknown}; choose from {', '.join(sorted(known))}")
    args.cases = chosen
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run every chosen case, print the table, write the JSON; 1 if any case failed."""
    args = parse_args(argv)
    kinds = [kind for kind in KINDS if kind.name in args.cases]
    if args.baseline_src:
        kinds += [
            kind for kind in BASELINE_KINDS if kind.name.removesuffix("-baseline") in args.cases
        ]
    results = [CaseResult(kind, count) for kind in kinds for count in UPSTREAM_COUNTS]
    machine = machine_info()  # before the run, so the load average is the machine's own
    anyio.run(run_all, results, args.runs, args.warmup, args.baseline_src)
    summaries = summarize_cases(results)
    console.print(render(summaries, args.runs))
    console.print(
        "[dim]direct with 10 = ten echo servers spawned at once, one client each: the slowest "
        "one's times. HTTP cases: spawn → port polled → initialize.[/dim]"
    )
    write_json(args.json_out, report(summaries, args, machine))
    console.print(f"raw samples: {args.json_out}")
    failed = [result for result in results if result.error]
    for result in failed:
        errors.print(
            f"[red]FAILED[/red] {result.key} ({result.kind.label}):", escape(result.error or "")
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
