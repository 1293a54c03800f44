"""Generated lead repositories for `bench/pipeline.py`: realistic trees, made once and cached.

A tree of N files (80% `src/pkgN/subM/`, 15% `tests/`, 5% `docs/`, ~50 per directory, 1-4 KB of
text each) is committed with `git fast-import`, checked out and packed as `git gc` would; then
the lead's uncommitted work is laid on top: modified, untracked, ignored and denied files
(`.env`, `.env.local`, `secrets/`), which the workspace must leave out.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

__all__ = ["Lead", "lead_repo", "run", "write"]

# Bump when the generated trees change, so cached repositories are rebuilt.
GENERATOR_VERSION = "3"
_SYLLABLES = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"] + ["ing", "er", "ed", "id", "ax"]


@dataclass(frozen=True)
class Lead:
    """A generated lead repository and the paths the simulated worker edits."""

    path: Path
    files: int
    worker_modifies: tuple[str, str]
    worker_adds: str


def tree_paths(files: int) -> list[str]:
    """`files` paths: 80% `src/pkgN/subM/`, 15% `tests/`, 5% `docs/`, ~50 per directory."""
    paths, counts = [], {"src": 0, "tests": 0, "docs": 0}
    for index in range(files):
        kind = "src" if index % 20 < 16 else "tests" if index % 20 < 19 else "docs"
        n = counts[kind]
        counts[kind] += 1
        if kind == "src":
            paths.append(f"src/pkg{n // 1000}/sub{n // 50 % 20}/mod_{n}.py")
        elif kind == "tests":
            paths.append(f"tests/pkg{n // 200}/test_mod_{n}.py")
        else:
            paths.append(f"docs/part{n // 50}/page_{n}.md")
    return paths


def file_text(path: str, rng: random.Random) -> str:
    """Plausible Python of 1-4 KB: shared boilerplate, but names and numbers of its own.

    Files as alike as templated ones would let `git gc` store nearly all of them as deltas of
    each other, which real trees of distinct modules are not.
    """
    target = rng.randint(1024, 4096)
    parts = [f'"""{path}: generated for the pipeline benchmark."""\n\nimport os\n']
    size = len(parts[0])
    while size < target:
        name, a, b, c = (_identifier(rng) for _ in range(4))
        number = rng.randint(0, 10**9)
        block = (
            f"\n\ndef {name}({a}: int, {b}: int = {number % 997}) -> int:\n"
            f'    """Combine {a} with {b} into {c}."""\n'
            f"    {c} = {a} * {number} + {b} // {rng.randint(1, 10**6)}\n"
            f"    return {c} - {rng.randint(0, 10**9)}\n"
        )
        parts.append(block)
        size += len(block)
    return "".join(parts)


def _identifier(rng: random.Random) -> str:
    return "_".join(
        rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3))
    )


def _blob(path: str, data: bytes) -> Iterator[bytes]:
    yield b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)


def _fast_import_stream(files: int) -> Iterator[bytes]:
    """One commit holding the generated tree plus committed secrets, in fast-import syntax."""
    yield b"commit refs/heads/main\ncommitter bench <bench@localhost> 946684800 +0000\n"
    yield b"data 9\ngenerated\n"
    rng = random.Random(files)
    for path in tree_paths(files):
        yield from _blob(path, file_text(path, rng).encode())
    specials = {
        ".gitignore": "__pycache__/\n*.pyc\nbuild/\n",
        "README.md": "# generated\n",
        ".env": "API_TOKEN=committed-by-mistake\n",
        "secrets/db.txt": "password=hunter2\n",
        "secrets/deploy.key": "not a real key\n",
    }
    for path, text in specials.items():
        yield from _blob(path, text.encode())


def lead_repo(cache: Path, files: int) -> Lead:
    """The cached lead repository of `files` files, generated on first use."""
    path, marker = cache / f"lead-{files}", cache / f"lead-{files}.done"
    if not marker.exists() or marker.read_text() != GENERATOR_VERSION:
        print(f"generating a lead repository of {files} files in {path} (once)", file=sys.stderr)
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        run(path, "git", "init", "-q", "-b", "main")
        with subprocess.Popen(
            ["git", "fast-import", "--quiet"], cwd=path, stdin=subprocess.PIPE
        ) as importer:
            assert importer.stdin is not None
            for chunk in _fast_import_stream(files):
                importer.stdin.write(chunk)
            importer.stdin.close()
        if importer.returncode != 0:
            raise RuntimeError(f"git fast-import failed in {path}")
        run(path, "git", "reset", "-q", "--hard", "main")
        # fast-import deltas every blob against the one before; repack as `git gc` would.
        run(path, "git", "repack", "-a", "-d", "-f", "-q")
        marker.write_text(GENERATOR_VERSION)
    src = [p for p in tree_paths(files) if p.startswith("src/")]
    middle = len(src) // 2
    added = str(PurePosixPath(src[middle]).with_name("added_by_worker.py"))
    lead = Lead(path, files, (src[middle], src[middle + 1]), added)
    _lead_state(lead, src)
    return lead


def _lead_state(lead: Lead, src: list[str]) -> None:
    """The lead's uncommitted work (idempotent): modified, untracked, ignored and denied files."""
    for rel in src[:3]:
        committed = run(lead.path, "git", "show", f"HEAD:{rel}").decode()
        write(lead.path / rel, committed + "\nEDITED_BY_THE_LEAD = True\n")
    for rel, text in {
        "src/pkg0/sub0/wip.py": "WORK_IN_PROGRESS = True\n",
        "notes/todo.md": "- finish the benchmark\n",
        ".env.local": "API_TOKEN=untracked\n",
        "secrets/new.pem": "not a real certificate\n",
        "build/out.bin": "ignored\n",
        "src/pkg0/sub0/__pycache__/mod_0.cpython-311.pyc": "ignored\n",
    }.items():
        write(lead.path / rel, text)


def run(cwd: Path, *command: str) -> bytes:
    """Run a command in `cwd`; its output, or CalledProcessError."""
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True).stdout


def write(path: Path, text: str) -> None:
    """Write a text file, making its directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
