"""Per-call overhead: an echo tool called directly, and through Baton and its peers.

Targets (one echo upstream, `servers/echo_server.py`, behind every gateway):

  stdio  direct               the echo server over stdio: the floor
         baton serve          `baton serve` (tool `echo__echo`)
         baton proxy          `baton proxy echo` (tool `echo`, unchanged)
         fastmcp proxy        FastMCP's `create_proxy`, served over stdio
  http   direct               the echo server over streamable HTTP: the floor
         baton serve          `baton serve --transport http`
         mcp-proxy            sparfenyuk's mcp-proxy (stdio server → streamable HTTP)
         fastmcp proxy        FastMCP's `create_proxy`, served over streamable HTTP

Each round starts every target in turn, warms it up, then times `--calls` tools/call at
concurrency 1 and at concurrency 16; rounds are repeated `--runs` times so machine-load drift hits
every target alike. Latencies are pooled over the rounds; calls/s is the median of the rounds.

    .venv/bin/python bench/overhead.py [--runs 3] [--calls 500] [--targets a,b] [--baseline-src DIR]
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
from _client import run_load
from _common import (
    FASTMCP_VERSION,
    RESULTS_DIR,
    failure_report,
    machine_info,
    package_versions,
    percentiles,
    ratio,
    times,
    write_json,
)
from _targets import TARGETS, Target, Workspace, targets_for
from rich.console import Console
from rich.markup import escape
from rich.table import Table

CONCURRENCY = (1, 16)
# Starting a target, warming it and 2 × 500 calls takes seconds; a hang must cost minutes at most.
ROUND_TIMEOUT_SEC = 180.0

console = Console(width=None if sys.stdout.isatty() else 150)
errors = Console(stderr=True, soft_wrap=True)


@dataclass
class Result:
    """Every round of one target: latencies per concurrency, calls/s per round, or its failure."""

    target: Target
    latencies: dict[int, list[float]] = field(default_factory=dict)
    rates: dict[int, list[float]] = field(default_factory=dict)
    error: str | None = None

    def figures(self, concurrency: int) -> dict[str, float]:
        """p50/p95/p99/mean ms (pooled over rounds) and calls/s (median of rounds)."""
        latencies = self.latencies.get(concurrency, [])
        if self.error or not latencies:
            return {}
        rate = statistics.median(self.rates[concurrency])
        return {**percentiles(latencies), "calls_per_sec": round(rate, 1)}


async def measure(result: Result, ws: Workspace, args: argparse.Namespace) -> None:
    """One round of one target; a failure marks the target failed instead of raising."""
    text = "x" * args.payload_bytes
    try:
        with anyio.fail_after(ROUND_TIMEOUT_SEC):
            async with result.target.start(ws) as running:
                await run_load(
                    running.client, running.tool, calls=args.warmup, concurrency=16, text=text
                )
                for concurrency in CONCURRENCY:
                    latencies, wall = await run_load(
                        running.client,
                        running.tool,
                        calls=args.calls,
                        concurrency=concurrency,
                        text=text,
                    )
                    result.latencies.setdefault(concurrency, []).extend(latencies)
                    result.rates.setdefault(concurrency, []).append(args.calls / wall)
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
                    console.print(f"[dim]{result.target.name}[/dim]", end=" ")
                    await measure(result, ws, args)
        console.print()


# ---------------------------------------------------------------------------------------------
# Ratios and report


def summarize(results: list[Result]) -> list[dict[str, Any]]:
    """Per target and concurrency: figures, added latency and ratios to direct and each peer."""
    by_name = {result.target.name: result for result in results}
    peers = [result for result in results if result.target.peer]
    summaries = []
    for result in results:
        direct = by_name.get(f"direct-{result.target.transport}")
        entry: dict[str, Any] = {
            "target": result.target.name,
            "label": result.target.label,
            "transport": result.target.transport,
            "error": result.error,
        }
        for concurrency in CONCURRENCY:
            own = result.figures(concurrency)
            base = direct.figures(concurrency) if direct else {}
            bases = {"direct": base} | {
                peer.target.name: peer.figures(concurrency)
                for peer in peers
                if peer is not result and peer.target.transport == result.target.transport
            }
            added = own.get("p50", 0) - base["p50"] if own and base else None
            entry[f"c{concurrency}"] = {
                **own,
                "added_p50_ms": None if added is None else round(added, 3),
                "ratios": {
                    name: {key: ratio(own.get(key), other.get(key)) for key in own}
                    for name, other in bases.items()
                },
            }
        summaries.append(entry)
    _added_ratios(summaries, peers)
    return summaries


def _added_ratios(summaries: list[dict[str, Any]], peers: list[Result]) -> None:
    """Added p50 latency at concurrency 1 over each peer's own (each over its own direct)."""
    added = {entry["target"]: entry["c1"]["added_p50_ms"] for entry in summaries}
    for entry in summaries:
        entry["added_p50_c1_vs_peer"] = {
            peer.target.name: ratio(added[entry["target"]], added.get(peer.target.name))
            for peer in peers
        }


def render(summaries: list[dict[str, Any]], transport: str, args: argparse.Namespace) -> Table:
    """Figures of one transport: latency percentiles, calls/s, added latency."""
    table = Table(
        title=f"{transport}: tools/call of echo, ms ({args.runs}×{args.calls} calls pooled)"
    )
    table.add_column("target")
    for concurrency in CONCURRENCY:
        for column in ("p50", "p95", "p99", "calls/s"):
            table.add_column(f"c{concurrency} {column}", justify="right")
    table.add_column("added p50 c1", justify="right")
    for entry in (e for e in summaries if e["transport"] == transport):
        if entry["error"]:
            table.add_row(entry["label"], "[red]failed[/red]")
            continue
        cells = []
        for concurrency in CONCURRENCY:
            figures = entry[f"c{concurrency}"]
            cells += [f"{figures[key]:.2f}" for key in ("p50", "p95", "p99")]
            cells.append(f"{figures['calls_per_sec']:.0f}")
        added = entry["c1"]["added_p50_ms"]
        table.add_row(entry["label"], *cells, "-" if added is None else f"{added:+.2f}")
    return table


def render_ratios(summaries: list[dict[str, Any]], transport: str) -> Table:
    """p50 at c1 and calls/s at c16 of each target over direct and each peer (same transport)."""
    rows = [e for e in summaries if e["transport"] == transport and not e["error"]]
    bases = list(rows[0]["c1"]["ratios"]) if rows else []
    bases = ["direct", *sorted({b for r in rows for b in r["c1"]["ratios"] if b != "direct"})]
    table = Table(title=f"{transport}: ratios (p50 at c1: lower is better; calls/s at c16: higher)")
    table.add_column("target")
    for base in bases:
        table.add_column(f"p50 ÷ {base}", justify="right")
    for base in bases:
        table.add_column(f"calls/s ÷ {base}", justify="right")
    for entry in rows:
        c1, c16 = entry["c1"]["ratios"], entry["c16"]["ratios"]
        cells = [times(c1.get(b, {}).get("p50")) for b in bases]
        cells += [times(c16.get(b, {}).get("calls_per_sec")) for b in bases]
        table.add_row(entry["label"], *cells)
    return table


def render_added(summaries: list[dict[str, Any]]) -> Table:
    """Added p50 (over each one's own direct) of every target over every peer's."""
    rows = [e for e in summaries if not e["error"] and e["c1"]["added_p50_ms"] is not None]
    peers = sorted({p for e in rows for p in e["added_p50_c1_vs_peer"]})
    table = Table(title="added p50 at c1 (ms over direct, same transport) ÷ each peer's added p50")
    table.add_column("target")
    table.add_column("added ms", justify="right")
    for peer in peers:
        table.add_column(f"÷ {peer}", justify="right")
    for entry in rows:
        if entry["target"].startswith("direct"):
            continue
        vs = entry["added_p50_c1_vs_peer"]
        added = f"{entry['c1']['added_p50_ms']:+.2f}"
        label = f"{entry['label']} ({entry['transport']})"
        table.add_row(label, added, *[times(vs.get(peer)) for peer in peers])
    return table


def report(
    summaries: list[dict[str, Any]], args: argparse.Namespace, machine: dict[str, Any]
) -> dict[str, Any]:
    """Everything for the JSON file."""
    return {
        "benchmark": "overhead",
        "command": sys.argv,
        "runs": args.runs,
        "calls": args.calls,
        "warmup_calls": args.warmup,
        "payload_bytes": args.payload_bytes,
        "concurrency": list(CONCURRENCY),
        "baseline_src": str(args.baseline_src) if args.baseline_src else None,
        "machine": {**machine, "load_average_after": machine_info()["load_average"]},
        "versions": {
            **package_versions("baton-mcp", "mcp", "mcp-proxy"),
            "fastmcp": f"{FASTMCP_VERSION} (bench/.peers)",
        },
        "targets": summaries,
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    names = [target.name for target in TARGETS]
    parser.add_argument("--runs", type=int, default=3, help="rounds over every target (3)")
    parser.add_argument("--calls", type=int, default=500, help="timed calls per concurrency (500)")
    parser.add_argument("--warmup", type=int, default=100, help="untimed calls first (100)")
    parser.add_argument("--payload-bytes", type=int, default=64, help="echoed text size (64)")
    parser.add_argument("--targets", default=",".join(names), help="subset of: " + ", ".join(names))
    parser.add_argument(
        "--baseline-src",
        type=Path,
        help="another Baton source tree (its src/ dir) run as extra '(baseline)' targets",
    )
    parser.add_argument(
        "--json-out", type=Path, default=RESULTS_DIR / "overhead.json", help="result file"
    )
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.targets.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(names))
    if unknown or not chosen:
        parser.error(f"unknown --targets {unknown}; choose from {', '.join(names)}")
    if args.runs < 1 or args.calls < 1 or args.warmup < 0 or args.payload_bytes < 1:
        parser.error("--runs, --calls and --payload-bytes must be positive, --warmup >= 0")
    args.targets = chosen
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the tables, write the JSON; 1 if any target failed."""
    args = parse_args(argv)
    results = [Result(t) for t in targets_for(args.targets, baseline=bool(args.baseline_src))]
    machine = machine_info()
    anyio.run(run_all, results, args)
    summaries = summarize(results)
    for transport in ("stdio", "http"):
        if any(entry["transport"] == transport for entry in summaries):
            console.print(render(summaries, transport, args))
            console.print(render_ratios(summaries, transport))
    console.print(render_added(summaries))
    console.print(
        f"[dim]load average before {machine['load_average']}, after "
        f"{machine_info()['load_average']}[/dim]"
    )
    write_json(args.json_out, report(summaries, args, machine))
    console.print(f"raw figures: {args.json_out}")
    for result in results:
        if result.error:
            errors.print(f"[red]FAILED[/red] {result.target.name}:", escape(result.error))
    return 1 if any(result.error for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
