"""Memory: resident set size of each gateway, idle and under load, and of its upstreams apart.

For each target of `overhead.py` (the same commands, one echo upstream behind every gateway):

- idle: after `initialize`, `tools/list` and a short settle, the RSS (and USS, the memory only
  that process holds) of the gateway process itself, and the summed RSS of the processes it
  started (the echo server; for FastMCP, whatever its client spawned);
- under load: the peak and mean RSS of the gateway, sampled every 20 ms while `--calls` tools/call
  run at concurrency 16.

`direct` rows are the echo server alone: the floor of a Python MCP process. Rounds are repeated
`--runs` times; the table shows medians.

    .venv/bin/python bench/memory.py [--runs 3] [--calls 2000] [--targets a,b]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import psutil
from _client import run_load
from _common import (
    FASTMCP_VERSION,
    RESULTS_DIR,
    failure_report,
    machine_info,
    package_versions,
    ratio,
    times,
    write_json,
)
from _targets import TARGETS, Running, Target, Workspace, targets_for
from rich.console import Console
from rich.markup import escape
from rich.table import Table

MB = 1024 * 1024
LOAD_CONCURRENCY = 16
SAMPLE_EVERY_SEC = 0.02
# After tools/list, let lazy imports and first-call caches settle before reading "idle".
SETTLE_SEC = 0.5
ROUND_TIMEOUT_SEC = 180.0

console = Console(width=None if sys.stdout.isatty() else 150)
errors = Console(stderr=True, soft_wrap=True)


@dataclass
class Round:
    """One start of one target, in MB."""

    idle_rss: float
    idle_uss: float
    upstreams_rss: float
    upstream_count: int
    load_peak_rss: float
    load_mean_rss: float
    upstreams_peak_rss: float


@dataclass
class Result:
    """Every round of one target, or why it failed."""

    target: Target
    rounds: list[Round] = field(default_factory=list)
    error: str | None = None

    def median(self, key: str) -> float | None:
        """Median of one `Round` field over the rounds."""
        if self.error or not self.rounds:
            return None
        return round(statistics.median(getattr(r, key) for r in self.rounds), 1)


def _rss(processes: Sequence[psutil.Process]) -> float:
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / MB


async def _sample_under_load(
    running: Running, args: argparse.Namespace
) -> tuple[list[float], float]:
    """Run the load while sampling the gateway's RSS; also the upstreams' peak."""
    samples: list[float] = []
    upstream_peak = 0.0
    done = anyio.Event()

    async def sample() -> None:
        nonlocal upstream_peak
        while not done.is_set():
            samples.append(_rss([running.process]))
            upstream_peak = max(upstream_peak, _rss(running.upstreams()))
            with anyio.move_on_after(SAMPLE_EVERY_SEC):
                await done.wait()

    async with anyio.create_task_group() as group:
        group.start_soon(sample)
        text = "x" * args.payload_bytes
        try:
            await run_load(
                running.client,
                running.tool,
                calls=args.calls,
                concurrency=LOAD_CONCURRENCY,
                text=text,
            )
        finally:
            done.set()
    return samples, upstream_peak


async def measure(result: Result, ws: Workspace, args: argparse.Namespace) -> None:
    """One round of one target; a failure marks it failed instead of raising."""
    try:
        with anyio.fail_after(ROUND_TIMEOUT_SEC):
            async with result.target.start(ws) as running:
                await anyio.sleep(SETTLE_SEC)
                gateway = running.process
                upstreams = running.upstreams()
                idle_rss = _rss([gateway])
                idle_uss = gateway.memory_full_info().uss / MB
                upstreams_rss = _rss(upstreams)
                samples, upstream_peak = await _sample_under_load(running, args)
        result.rounds.append(
            Round(
                idle_rss=round(idle_rss, 1),
                idle_uss=round(idle_uss, 1),
                upstreams_rss=round(upstreams_rss, 1),
                upstream_count=len(upstreams),
                load_peak_rss=round(max(samples, default=idle_rss), 1),
                load_mean_rss=round(statistics.fmean(samples) if samples else idle_rss, 1),
                upstreams_peak_rss=round(upstream_peak, 1),
            )
        )
    except Exception as error:  # the boundary of one target: it fails alone
        result.error = failure_report(error, ws.log(result.target.name))


async def run_all(results: list[Result], args: argparse.Namespace) -> None:
    """Round-robin over the targets, `args.runs` times."""
    with tempfile.TemporaryDirectory(prefix="baton-bench-") as scratch:
        ws = Workspace(Path(scratch), args.baseline_src)
        for round_index in range(args.runs):
            console.print(f"[dim]run{round_index + 1}[/dim]", end=" ")
            for result in results:
                if result.error is None:
                    await measure(result, ws, args)
        console.print()


COLUMNS = (
    ("idle_rss", "idle RSS"),
    ("idle_uss", "idle USS"),
    ("load_peak_rss", "c16 peak RSS"),
    ("load_mean_rss", "c16 mean RSS"),
    ("upstreams_rss", "upstreams idle"),
    ("upstreams_peak_rss", "upstreams peak"),
)


def _family(name: str) -> str:
    """`fastmcp-stdio` -> `fastmcp`: a peer compared with its own transport's variant if any."""
    return name.rsplit("-", 1)[0]


def summarize(results: list[Result]) -> list[dict[str, Any]]:
    """Medians per target, idle RSS over direct and over each peer, and every round."""
    medians = {r.target.name: r.median("idle_rss") for r in results}
    peers = [r.target for r in results if r.target.peer]
    summaries = []
    for result in results:
        own, transport = medians[result.target.name], result.target.transport
        bases = {"direct": medians.get(f"direct-{transport}")}
        for peer in sorted(peers, key=lambda p: p.transport != transport):  # own transport wins
            bases.setdefault(_family(peer.name), medians[peer.name])
        summaries.append(
            {
                "target": result.target.name,
                "label": result.target.label,
                "transport": transport,
                "error": result.error,
                **{key: result.median(key) for key, _ in COLUMNS},
                "idle_rss_vs": {
                    name: ratio(own, base)
                    for name, base in bases.items()
                    if name != _family(result.target.name)
                },
                "rounds": [vars(r) for r in result.rounds],
            }
        )
    return summaries


def render(summaries: list[dict[str, Any]], args: argparse.Namespace) -> Table:
    """MB per target, and the gateway's idle RSS over direct and over each peer."""
    table = Table(
        title=f"memory, MB: median of {args.runs} runs (gateway process; upstreams apart)"
    )
    table.add_column("target")
    for _, label in COLUMNS:
        table.add_column(label, justify="right")
    bases = ["direct", *sorted({n for s in summaries for n in s["idle_rss_vs"]} - {"direct"})]
    for name in bases:
        table.add_column(f"idle ÷ {name}", justify="right")
    for entry in summaries:
        label = f"{entry['label']} ({entry['transport']})"
        if entry["error"]:
            table.add_row(label, "[red]failed[/red]")
            continue
        cells = [f"{entry[key]:.1f}" for key, _ in COLUMNS]
        ratios = [entry["idle_rss_vs"].get(name) for name in bases]
        table.add_row(label, *cells, *(times(r) for r in ratios))
    return table


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    names = [target.name for target in TARGETS]
    parser.add_argument("--runs", type=int, default=3, help="rounds over every target (3)")
    parser.add_argument("--calls", type=int, default=2000, help="calls in the load phase (2000)")
    parser.add_argument("--payload-bytes", type=int, default=64, help="echoed text size (64)")
    parser.add_argument("--targets", default=",".join(names), help="subset of: " + ", ".join(names))
    parser.add_argument("--baseline-src", type=Path, help="another Baton src/ run as '(baseline)'")
    parser.add_argument(
        "--json-out", type=Path, default=RESULTS_DIR / "memory.json", help="result file"
    )
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.targets.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(names))
    if unknown or not chosen:
        parser.error(f"unknown --targets {unknown}; choose from {', '.join(names)}")
    if args.runs < 1 or args.calls < 1 or args.payload_bytes < 1:
        parser.error("--runs, --calls and --payload-bytes must be positive")
    args.targets = chosen
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the table, write the JSON; 1 if any target failed."""
    args = parse_args(argv)
    results = [Result(t) for t in targets_for(args.targets, baseline=bool(args.baseline_src))]
    machine = machine_info()
    anyio.run(run_all, results, args)
    summaries = summarize(results)
    console.print(render(summaries, args))
    console.print(
        f"[dim]load average before {machine['load_average']}, after "
        f"{machine_info()['load_average']}[/dim]"
    )
    write_json(
        args.json_out,
        {
            "benchmark": "memory",
            "command": sys.argv,
            "runs": args.runs,
            "calls": args.calls,
            "concurrency": LOAD_CONCURRENCY,
            "payload_bytes": args.payload_bytes,
            "baseline_src": str(args.baseline_src) if args.baseline_src else None,
            "machine": {**machine, "load_average_after": machine_info()["load_average"]},
            "versions": {
                **package_versions("baton-mcp", "mcp", "mcp-proxy"),
                "fastmcp": f"{FASTMCP_VERSION} (bench/.peers)",
            },
            "targets": summaries,
        },
    )
    console.print(f"raw figures: {args.json_out}")
    for result in results:
        if result.error:
            errors.print(f"[red]FAILED[/red] {result.target.name}:", escape(result.error))
    return 1 if any(result.error for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
