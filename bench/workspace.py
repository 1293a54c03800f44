"""Time to make an isolated workspace, read the worker's diff from it and remove it, by repo size.

Repositories of 1k, 10k and 100k small files are generated once (with `git fast-import`, so they
are packed) into a cache under the system temporary directory and reused. Each then gets a lead's
uncommitted state (a modified, an untracked and a committed `.env` file); every run times
`create_workspace`, `changes()` + `diff()` after a small edit (modify, add, delete) and `remove()`.
Workspaces are made in the system temporary directory and, where it exists, in /dev/shm (tmpfs):
writing many small files is what a workspace costs, so the file system it lives on matters most.
Run: `.venv/bin/python bench/workspace.py [--sizes 1000,10000,100000] [--runs 5]`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from baton.delegation.workspace import create_workspace  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "workspace.json"
CACHE = Path(tempfile.gettempdir()) / "baton-bench-workspace"
SHM = Path("/dev/shm")
DENIED = [".env*", "secrets/", "*.pem"]
# Files per directory in the generated trees: a flat tree of 100k entries would be unrealistic.
FILES_PER_DIR = 50
# Fewer runs of the big repository keep the whole benchmark within a few minutes on two cores.
RUNS_FOR_100K = 3


def generated_repo(files: int) -> Path:
    """A git repository of `files` small Python files plus a committed secret, made once."""
    repo = CACHE / f"repo-{files}"
    if (repo / ".done").exists():
        return repo
    subprocess.run(["rm", "-rf", str(repo)], check=True)
    repo.mkdir(parents=True)
    _git(repo, "init", "-q")
    _git(repo, "fast-import", "--quiet", stdin=_fast_import_stream(files))
    _git(repo, "reset", "-q", "--hard", "main")
    (repo / ".done").write_text("")
    (repo / ".git" / "info" / "exclude").write_text(".done\n")
    return repo


def _fast_import_stream(files: int) -> bytes:
    """One commit holding the generated files, in `git fast-import` syntax."""
    lines = [
        b"commit refs/heads/main",
        b"committer bench <bench@localhost> 946684800 +0000",
        b"data 9",
        b"generated",
    ]
    for index in range(files - 1):
        body = f'"""Module {index}."""\n\nVALUE_{index} = {index}\n'.encode()
        path = f"pkg{index // FILES_PER_DIR // 100}/mod{index // FILES_PER_DIR}/f{index}.py"
        lines += [f"M 100644 inline {path}".encode(), b"data %d" % len(body), body]
    secret = b"SECRET_TOKEN=bench\n"
    lines += [b"M 100644 inline .env", b"data %d" % len(secret), secret, b""]
    return b"\n".join(lines)


def lead_state(repo: Path) -> None:
    """Give the lead uncommitted work: one modified file and one untracked file."""
    (repo / "pkg0" / "mod0" / "f0.py").write_text("VALUE_0 = 'edited by the lead'\n")
    (repo / "untracked.py").write_text("UNTRACKED = True\n")


def worker_edit(workspace: Path) -> None:
    """A small change, as a worker would make: modify one file, add one, delete one."""
    (workspace / "pkg0" / "mod0" / "f1.py").write_text("VALUE_1 = 'edited by the worker'\n")
    (workspace / "pkg0" / "mod0" / "new.py").write_text("NEW = True\n")
    (workspace / "pkg0" / "mod0" / "f2.py").unlink()


def one_run(repo: Path, parent: Path) -> dict[str, float]:
    """Milliseconds for create, changes + diff, and remove of one workspace."""
    started = time.perf_counter()
    workspace = create_workspace(repo, denied=DENIED, parent=parent)
    created = time.perf_counter()
    worker_edit(workspace.path)
    edited = time.perf_counter()
    changes, diff = workspace.changes(), workspace.diff()
    diffed = time.perf_counter()
    workspace.remove()
    removed = time.perf_counter()
    assert len(changes) == 3 and "edited by the worker" in diff, changes
    assert not workspace.path.exists()
    return {
        "create_ms": (created - started) * 1000,
        "diff_ms": (diffed - edited) * 1000,
        "remove_ms": (removed - diffed) * 1000,
        "total_ms": (created - started + removed - edited) * 1000,
    }


def measure(files: int, runs: int, parent: Path) -> dict[str, Any]:
    """Median of `runs` runs (after one warm-up) on a repository of `files` files."""
    repo = generated_repo(files)
    lead_state(repo)
    one_run(repo, parent)  # warm the page cache, as a lead's repository in use would be
    samples = [one_run(repo, parent) for _ in range(runs)]
    medians = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
    return {"files": files, "parent": str(parent), "runs": runs, **medians, "samples": samples}


def report(rows: list[dict[str, Any]]) -> None:
    """Print the table of medians and the growth from one size to the next."""
    print(f"workspaces in {rows[0]['parent']}")
    print(f"{'files':>8}{'create ms':>12}{'diff ms':>10}{'remove ms':>11}{'total ms':>10}")
    for row in rows:
        print(
            f"{row['files']:>8}{row['create_ms']:>12.0f}{row['diff_ms']:>10.0f}"
            f"{row['remove_ms']:>11.0f}{row['total_ms']:>10.0f}"
        )
    for small, big in itertools.pairwise(rows):
        growth = big["total_ms"] / small["total_ms"]
        size = big["files"] / small["files"]
        print(f"{small['files']} → {big['files']} files (×{size:.0f}): total ×{growth:.2f}")


def _git(cwd: Path, *args: str, stdin: bytes | None = None) -> None:
    subprocess.run(["git", *args], cwd=cwd, input=stdin, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    parents = [Path(tempfile.gettempdir())] + [SHM] * SHM.is_dir()
    tables = []
    for parent in parents:
        rows = [measure(n, RUNS_FOR_100K if n >= 100_000 else args.runs, parent) for n in sizes]
        report(rows)
        tables.append(rows)
    machine = {"cpus": os.cpu_count(), "python": platform.python_version()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    document = {"machine": machine, "cache": str(CACHE), "tables": tables}
    RESULTS.write_text(json.dumps(document, indent=2))
    print(f"raw figures: {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
