"""Profile a gateway under load with py-spy: where the time of one tools/call goes.

Starts one target of `overhead.py`, warms it up, then records the gateway process (its
upstreams excluded) with `py-spy record` while a bounded number of calls run; prints the functions
with the most samples, self and inclusive, and keeps the raw collapsed stacks (and a flame graph
SVG) in bench/results/. py-spy needs ptrace rights (root, or `kernel.yama.ptrace_scope=0`).

    .venv/bin/python bench/profile.py [--target baton-serve-stdio] [--calls 3000] [--concurrency 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import anyio
from _client import run_load
from _common import RESULTS_DIR
from _targets import TARGETS, Workspace
from rich.console import Console
from rich.table import Table

SAMPLE_RATE_HZ = 500
# py-spy writes its file after SIGINT; a profile of a few seconds is written well within this.
PY_SPY_EXIT_SEC = 30.0
TOP = 25

console = Console(width=None if sys.stdout.isatty() else 150)


def top_frames(
    collapsed: Path, top: int
) -> tuple[list[tuple[str, int]], list[tuple[str, int]], int]:
    """(self, inclusive) sample counts of the `top` busiest frames, and the total samples."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        frames = stack.split(";")
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    return own.most_common(top), inclusive.most_common(top), total


def render(title: str, rows: list[tuple[str, int]], total: int) -> Table:
    """One column of frames with their share of samples."""
    table = Table(title=title)
    table.add_column("%", justify="right")
    table.add_column("frame")
    for frame, count in rows:
        table.add_row(f"{100 * count / total:.1f}", frame)
    return table


async def profile(args: argparse.Namespace, out: Path) -> None:
    """Start the target, warm it, record it under load, stop the recorder."""
    target = next(t for t in TARGETS if t.name == args.target)
    if args.baseline_src:
        target = dataclasses.replace(target, baseline=True)
    with tempfile.TemporaryDirectory(prefix="baton-profile-") as scratch:
        ws = Workspace(Path(scratch), args.baseline_src)
        async with target.start(ws) as running:
            text = "x" * args.payload_bytes
            await run_load(running.client, running.tool, calls=200, concurrency=16, text=text)
            command = [args.py_spy, "record", "--pid", str(running.process.pid), "--format", "raw"]
            command += ["--rate", str(SAMPLE_RATE_HZ), "--output", str(out)]
            if not args.all_threads:
                command.append("--gil")  # only what holds the GIL: the CPU the gateway spends
            spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            await anyio.sleep(1.0)  # py-spy attaches asynchronously; calls before that are lost
            _, wall = await run_load(
                running.client,
                running.tool,
                calls=args.calls,
                concurrency=args.concurrency,
                text=text,
            )
            spy.send_signal(signal.SIGINT)
            await anyio.to_thread.run_sync(lambda: spy.wait(PY_SPY_EXIT_SEC))
            console.print(f"{args.calls} calls in {wall:.2f}s ({args.calls / wall:.0f}/s)")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    names = [target.name for target in TARGETS]
    parser.add_argument("--target", default="baton-serve-stdio", choices=names)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--payload-bytes", type=int, default=64)
    parser.add_argument(
        "--all-threads", action="store_true", help="every sampled stack, not only GIL holders"
    )
    parser.add_argument("--top", type=int, default=TOP)
    parser.add_argument("--baseline-src", type=Path, help="profile Baton from another src/ dir")
    parser.add_argument(
        "--py-spy", default=shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Profile, print the busiest frames, keep the collapsed stacks."""
    args = parse_args(argv)
    suffix = "-baseline" if args.baseline_src else ""
    out = RESULTS_DIR / f"profile-{args.target}{suffix}-c{args.concurrency}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    anyio.run(profile, args, out)
    own, inclusive, total = top_frames(out, args.top)
    console.print(render(f"self time, {total} samples", own, total))
    console.print(render("inclusive time", inclusive, total))
    cpu_ms = total / SAMPLE_RATE_HZ * 1000 / args.calls
    console.print(f"gateway CPU (GIL held) per call: {cpu_ms:.3f} ms over {args.calls} calls")
    console.print(f"collapsed stacks: {out} (flamegraph.pl or speedscope read them)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
