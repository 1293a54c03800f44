"""Time per policy decision (median, p99) with the default policy on a realistic mix.

The mix is the engine's own corpus (tests/policy/corpus.toml): hostile and benign shell commands,
paths and tool calls, each decided many times. Run: `.venv/bin/python bench/policy.py [--rounds N]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.policy.test_corpus import action_of  # noqa: E402

from baton.config.schema import PolicyConfig  # noqa: E402
from baton.policy import Context, decide  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "policy.json"


def measure(rounds: int) -> dict[str, Any]:
    corpus = tomllib.loads((ROOT / "tests" / "policy" / "corpus.toml").read_text())
    actions = [action_of(case) for case in corpus["deny"] + corpus["allow"]]
    context = Context(PolicyConfig(), root="/repo")
    for action in actions:  # warm the caches a long-running gateway or hook would have warm
        decide(action, context)
    samples: dict[str, list[float]] = {"shell": [], "path": [], "tool": []}
    for _ in range(rounds):
        for action in actions:
            started = time.perf_counter_ns()
            decide(action, context)
            elapsed = (time.perf_counter_ns() - started) / 1000
            kind = type(action).__name__.removesuffix("Action").lower()
            samples["tool" if kind == "toolcall" else kind].append(elapsed)
    every = [value for values in samples.values() for value in values]
    return {
        "decisions": len(every),
        "cases": len(actions),
        "all": _stats(every),
        **{kind: _stats(values) for kind, values in samples.items()},
    }


def _stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_us": statistics.median(ordered),
        "p99_us": ordered[int(len(ordered) * 0.99) - 1],
        "max_us": ordered[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    result = measure(parser.parse_args().rounds)
    print(f"{result['decisions']} decisions over {result['cases']} corpus cases")
    print(f"{'kind':<8}{'median µs':>12}{'p99 µs':>12}{'max µs':>12}")
    for kind in ("all", "shell", "path", "tool"):
        row = result[kind]
        print(f"{kind:<8}{row['median_us']:>12.1f}{row['p99_us']:>12.1f}{row['max_us']:>12.1f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(f"raw figures: {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
