"""The delegation pipeline's own cost, without a worker or gate commands, by repository size.

Lead repositories of 1k, 10k and 100k text files (1-4 KB, nested directories, committed, then
a few uncommitted modifications, untracked and ignored files, and a `.env` and `secrets/` that the
workspace must omit) are generated once with `git fast-import`, packed as `git gc` would, and
cached. Each repetition then times, in the order a delegation runs them:

  create   `create_workspace(lead, denied=PolicyConfig().denied_paths, parent=...)`
  worker   a simulated worker edit: two files in `src/` modified, one added (not pipeline cost)
  audit    checkpoint, changes, diff, `audit_changes` (scope `src/**`), `scan_added_lines`, restore
  apply    `fingerprint_base` + `apply_diff` onto a copy of the lead (reset between repetitions)
  remove   `Workspace.remove()`

and, in the same run, two baselines: `git status --porcelain` on the lead (the cheapest thing that
must look at every file) and `cp -a` of the lead into the workspace location (a naive copy).
Total = create + audit + apply + remove. Only ratios within one run mean anything.

    .venv/bin/python bench/pipeline.py [--sizes 1000,10000,100000] [--repeat 3] [--repeat-large 2]
    .venv/bin/python bench/pipeline.py --workspace-parent /dev/shm --json-out bench/results/x.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from _common import RESULTS_DIR, machine_info, write_json  # noqa: E402
from _leadrepo import Lead, lead_repo, run, write  # noqa: E402

from baton.audit import audit_changes, scan_added_lines  # noqa: E402
from baton.config import PolicyConfig  # noqa: E402
from baton.delegation.apply import apply_diff, fingerprint_base  # noqa: E402
from baton.delegation.workspace import Workspace, create_workspace  # noqa: E402

STEPS = ("create", "audit", "apply", "remove")
AUDIT_PARTS = ("checkpoint", "changes", "diff", "audit_changes", "scan", "restore")
APPLY_PARTS = ("fingerprint", "apply_diff")
DETAIL = (*AUDIT_PARTS, *APPLY_PARTS)
BASELINES = ("git_status", "cp_a")
SCOPE = ["src/**"]
POLICY = PolicyConfig()
# From this size on `--repeat-large` applies: one 100k repetition takes tens of seconds on disk.
LARGE = 100_000
T = TypeVar("T")


# --- one repetition ----------------------------------------------------------------------------


def one_run(lead: Lead, parent: Path, target: Path) -> dict[str, Any]:
    """Milliseconds of every step and baseline, and what the pipeline saw, for one repetition."""
    ms: dict[str, float] = {}
    _timed(ms, "git_status", lambda: run(lead.path, "git", "status", "--porcelain"))
    copy = Path(tempfile.mkdtemp(prefix="baton-bench-cp-", dir=parent))
    _timed(ms, "cp_a", lambda: run(parent, "cp", "-a", str(lead.path), str(copy / "repo")))
    workspace = _timed(
        ms, "create", lambda: create_workspace(lead.path, denied=POLICY.denied_paths, parent=parent)
    )
    try:
        checks = _omitted(workspace)
        _timed(ms, "worker", lambda: worker_edit(workspace.path, lead))
        checks |= _audit(ms, workspace)
        checks |= _apply(ms, workspace, target, checks["touched"], checks["diff"])
        _check(checks, lead)
    finally:
        _timed(ms, "remove", workspace.remove)
        shutil.rmtree(copy)
    ms["audit"] = sum(ms[part] for part in AUDIT_PARTS)
    ms["apply"] = sum(ms[part] for part in APPLY_PARTS)
    ms["total"] = sum(ms[step] for step in STEPS)
    return {"ms": ms, "checks": checks}


def worker_edit(workspace: Path, lead: Lead) -> None:
    """What a worker might do in scope: modify two files, add one."""
    for rel in lead.worker_modifies:
        path = workspace / rel
        text = path.read_text().replace("import os\n", "import os\nimport sys\n", 1)
        path.write_text(text + "\n\ndef added_by_worker() -> str:\n    return sys.platform\n")
    write(workspace / lead.worker_adds, '"""Added by the worker."""\n\nANSWER = 42\n')


def _omitted(workspace: Workspace) -> dict[str, Any]:
    """Whether each denied path of the lead made it into the workspace (it must not)."""
    found = {rel: (workspace.path / rel).exists() for rel in (".env", ".env.local", "secrets")}
    return {"denied_in_workspace": found}


def _audit(ms: dict[str, float], workspace: Workspace) -> dict[str, Any]:
    """Stage 1 as the pipeline runs it, around where the gates would run, then the restore."""
    checkpoint = _timed(ms, "checkpoint", workspace.checkpoint)
    changes = _timed(ms, "changes", workspace.changes)
    diff = _timed(ms, "diff", workspace.diff)
    found = _timed(
        ms,
        "audit_changes",
        lambda: audit_changes(
            changes, scope=SCOPE, denied=POLICY.denied_paths, protected=POLICY.protected_paths
        ),
    )
    found += _timed(
        ms,
        "scan",
        lambda: scan_added_lines(diff, extra_patterns=POLICY.redact_patterns, high_entropy=False),
    )
    _timed(ms, "restore", lambda: workspace.restore(checkpoint))
    return {
        "changes": sorted(f"{c.status} {c.path}" for c in changes),
        "findings": [f"{f.rule} {f.path}" for f in found],
        "touched": sorted({p for c in changes for p in (c.path, c.old_path) if p}),
        "diff": diff,
    }


def _apply(
    ms: dict[str, float], workspace: Workspace, target: Path, touched: list[str], diff: str
) -> dict[str, Any]:
    """Fingerprint and apply onto `target`, then put the touched paths back as they were."""
    saved = {
        rel: (target / rel).read_bytes() if (target / rel).exists() else None for rel in touched
    }
    fingerprints = _timed(ms, "fingerprint", lambda: fingerprint_base(workspace, touched))
    applied = _timed(ms, "apply_diff", lambda: apply_diff(target, diff, fingerprints))
    for rel, data in saved.items():
        if data is None:
            (target / rel).unlink()
        else:
            (target / rel).write_bytes(data)
    return {"applied": list(applied.files), "added": applied.added, "removed": applied.removed}


def _check(checks: dict[str, Any], lead: Lead) -> None:
    """Refuse to report figures for a pipeline that leaked, flagged a clean edit or lost it."""
    edited = sorted([*lead.worker_modifies, lead.worker_adds])
    if (
        any(checks["denied_in_workspace"].values())
        or checks["findings"]
        or checks["applied"] != edited
    ):
        shown = {k: v for k, v in checks.items() if k != "diff"}
        raise RuntimeError(f"the pipeline did not behave as expected on {lead.path}: {shown}")


# --- runs and reports --------------------------------------------------------------------------


def measure(lead: Lead, parent: Path, repeat: int) -> dict[str, Any]:
    """Median of `repeat` repetitions, after an untimed warm-up of the baselines."""
    run(lead.path, "git", "status", "--porcelain")  # refreshes a racily clean index once
    target = Path(tempfile.mkdtemp(prefix="baton-bench-target-", dir=lead.path.parent)) / "repo"
    run(lead.path, "cp", "-a", str(lead.path), str(target))  # also warms the page cache
    pristine = _status(target)
    try:
        samples = []
        for _ in range(repeat):
            samples.append(one_run(lead, parent, target))
            if _status(target) != pristine:
                raise RuntimeError(f"the apply target {target} was not reset after a repetition")
    finally:
        shutil.rmtree(target.parent)
    keys = [*STEPS, "total", "worker", *BASELINES, *DETAIL]
    median = {k: round(statistics.median(s["ms"][k] for s in samples), 2) for k in keys}
    checks = {k: v for k, v in samples[0]["checks"].items() if k != "diff"}
    return {
        "files": lead.files,
        "repeat": repeat,
        "median_ms": median,
        "ratio": {b: round(median["total"] / median[b], 2) for b in BASELINES},
        "checks": checks,
        "samples_ms": [s["ms"] for s in samples],
    }


def growth(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each step's median at one size over the previous size's (×10 files: < 10 is sub-linear)."""
    return [
        {
            "from": small["files"],
            "to": big["files"],
            "files": round(big["files"] / small["files"], 2),
            **{
                k: round(big["median_ms"][k] / small["median_ms"][k], 2)
                for k in (*STEPS, "total", *BASELINES)
            },
        }
        for small, big in itertools.pairwise(rows)
    ]


def report(document: dict[str, Any]) -> None:
    """Print the medians, the ratios to the baselines and the growth per size."""
    where = document["workspace_parent"]
    print(
        f"workspaces in {where['path']} ({where['filesystem']}); lead repositories in "
        f"{document['lead_location']['path']} ({document['lead_location']['filesystem']})"
    )
    print(
        "median ms".ljust(17)
        + "".join(f"{h:>9}" for h in (*STEPS, "total"))
        + " │"
        + "".join(f"{h:>11}" for h in ("worker", "git status", "cp -a"))
        + " │"
        + "".join(f"{h:>10}" for h in ("÷ status", "÷ cp -a"))
    )
    for row in document["sizes"]:
        m = row["median_ms"]
        print(
            f"{row['files']:>8} files ×{row['repeat']}"
            + "".join(f"{m[k]:>9.0f}" for k in (*STEPS, "total"))
            + " │"
            + "".join(f"{m[k]:>11.0f}" for k in ("worker", *BASELINES))
            + " │"
            + "".join(f"{row['ratio'][b]:>9.2f}×" for b in BASELINES)
        )
    print("audit and apply in detail (median ms)")
    print(" " * 8 + "".join(f"{h:>14}" for h in DETAIL))
    for row in document["sizes"]:
        print(f"{row['files']:>8}" + "".join(f"{row['median_ms'][k]:>14.1f}" for k in DETAIL))
    machine = document["machine"]
    print(f"{machine['cpu_count']} CPUs, load average before {machine['load_average_before']}, "
          f"after {machine['load_average']}")  # fmt: skip
    for step in document["growth"]:
        print(
            f"{step['from']} → {step['to']} files (×{step['files']:.0f}): total "
            f"×{step['total']:.2f}, create ×{step['create']:.2f}, audit ×{step['audit']:.2f}, "
            f"git status ×{step['git_status']:.2f}, cp -a ×{step['cp_a']:.2f}"
        )


def filesystem(path: Path) -> str:
    """The type of the file system `path` lives on, from /proc/self/mounts ('unknown' elsewhere)."""
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return "unknown"
    resolved, best, kind = str(path.resolve()), "", "unknown"
    for line in mounts:
        _, point, fstype, *_ = line.split(" ")
        point = point.replace("\\040", " ")
        inside = resolved == point or resolved.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fstype
    return kind


# --- helpers -----------------------------------------------------------------------------------


def _timed(ms: dict[str, float], key: str, step: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = step()
    ms[key] = (time.perf_counter() - started) * 1000
    return result


def _status(repo: Path) -> bytes:
    return run(repo, "git", "status", "--porcelain", "--untracked-files=all")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="files per repository")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per size")
    parser.add_argument("--repeat-large", type=int, default=2, help=f"repetitions from {LARGE:,}")
    parser.add_argument(
        "--workspace-parent",
        type=Path,
        default=Path(tempfile.gettempdir()),
        help="where workspaces (and the cp -a baseline) go, e.g. /dev/shm",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "baton-bench-pipeline",
        help="where the lead repositories are kept",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--json-out", type=Path, default=RESULTS_DIR / "pipeline.json")
    args = parser.parse_args()
    parent: Path = args.workspace_parent.resolve()
    parent.mkdir(parents=True, exist_ok=True)
    load_before = [round(load, 2) for load in os.getloadavg()]
    rows = []
    for files in (int(size) for size in args.sizes.split(",")):
        lead = lead_repo(args.cache.resolve(), files)
        repeat = args.repeat_large if files >= LARGE else args.repeat
        print(f"{files} files, {repeat} repetition(s) ...", file=sys.stderr)
        rows.append(measure(lead, parent, repeat))
    document = {
        "machine": machine_info() | {"load_average_before": load_before},
        "workspace_parent": {"path": str(parent), "filesystem": filesystem(parent)},
        "lead_location": {"path": str(args.cache), "filesystem": filesystem(args.cache)},
        "steps": [*STEPS, "total", "worker", *BASELINES, *DETAIL],
        "sizes": rows,
        "growth": growth(rows),
    }
    write_json(args.json_out, document)
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        report(document)
        print(f"raw figures: {args.json_out}")


if __name__ == "__main__":
    main()
