"""The lead's working tree as apply sees it: what a path is now, room for new files, the journal.

Files reach the tree only by rename(2) from a staging directory on the same filesystem, listed
first in a journal written atomically; `roll_forward` finishes a journal whatever point a crash
stopped it at, since every step can be repeated. Writing never follows a symlink in the tree.
Everything apply keeps lives in `.baton/apply/`, which ignores itself for git.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
import tempfile
from collections.abc import Iterator, Sequence, Set
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from baton.delegation._apply_types import ApplyError
from baton.delegation._snapshot import remove_tree

__all__ = [
    "Entry",
    "check_writable",
    "is_unsafe",
    "locked",
    "new_stage",
    "obstacles",
    "probe",
    "roll_forward",
    "write_journal",
]

STATE = Path(".baton") / "apply"
JOURNAL = "journal.json"
STAGE_PREFIX = "stage-"
_RECOVER = "fix the cause, then run `baton apply` again: it finishes the journal {journal} first"

Kind = Literal["absent", "file", "symlink", "other", "blocked"]


@dataclass(frozen=True)
class Entry:
    """What one path is in the lead's tree now; `stamp` changes whenever its content may have."""

    kind: Kind
    stamp: tuple[int, ...] = ()
    blocker: str | None = None


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def probe(root: Path, rel: str, passable: Set[str]) -> Entry:
    """What `rel` is now; an ancestor symlink blocks it unless the diff replaces that symlink."""
    parts = rel.split("/")
    for depth in range(1, len(parts)):
        ancestor = "/".join(parts[:depth])
        info = _lstat(root / ancestor)
        if info is None or not stat.S_ISDIR(info.st_mode):
            if info is not None and stat.S_ISLNK(info.st_mode) and ancestor not in passable:
                return Entry("blocked", blocker=ancestor)
            return Entry("absent")
    info = _lstat(root / rel)
    if info is None or stat.S_ISDIR(info.st_mode):
        return Entry("absent")  # a directory holds no content; `obstacles` checks it is emptied
    stamp = (info.st_mode, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    kind: Kind = "file" if stat.S_ISREG(info.st_mode) else "other"
    return Entry("symlink" if stat.S_ISLNK(info.st_mode) else kind, stamp)


def obstacles(root: Path, writes: Sequence[str], deletes: Sequence[str]) -> list[tuple[str, str]]:
    """What in the tree would stop `writes` from landing once `deletes` are gone, and why."""
    gone = set(deletes)
    found: list[tuple[str, str]] = []
    for rel in writes:
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            ancestor = "/".join(parts[:depth])
            info = _lstat(root / ancestor)
            if info is None or ancestor in gone:
                break
            if not stat.S_ISDIR(info.st_mode):
                found.append((ancestor, f"is a file where the diff needs a directory for {rel}"))
                break
        for leftover in _files_under(root, rel):
            if leftover not in gone:
                found.append((rel, f"is a directory holding {leftover}, which the diff keeps"))
                break
    return found


def _files_under(root: Path, rel: str) -> Iterator[str]:
    """Every non-directory below `rel` if it is a real directory; symlinks are not followed."""
    top = root / rel
    info = _lstat(top)
    if info is None or not stat.S_ISDIR(info.st_mode):
        return
    for folder, dirs, files in os.walk(top):
        links = [name for name in dirs if os.path.islink(os.path.join(folder, name))]
        for name in [*files, *links]:
            yield Path(folder, name).relative_to(root).as_posix()


def check_writable(root: Path, stage: Path, paths: Sequence[str]) -> None:
    """`ApplyError` unless every path's nearest directory is writable and beside the stage."""
    device = os.stat(stage).st_dev
    for rel in paths:
        folder = (root / rel).parent
        while (info := _lstat(folder)) is None or not stat.S_ISDIR(info.st_mode):
            folder = folder.parent  # a file in the way is one the diff deletes first
        if os.stat(folder).st_dev != device:
            raise ApplyError(
                f"cannot apply {rel}: {folder} is on another filesystem than {stage.parent}, "
                "so the file cannot be moved into place atomically",
                hint="apply the run's diff by hand with `git apply`",
            )
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ApplyError(f"cannot apply {rel}: {folder} is not writable",
                             hint=f"make {folder} writable, then apply again")  # fmt: skip


@contextmanager
def locked(root: Path) -> Iterator[Path]:
    """Hold the tree's apply lock (one apply at a time); yields the state directory."""
    state = root / STATE
    state.mkdir(parents=True, exist_ok=True)
    ignore = state / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    descriptor = os.open(state / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield state
    finally:
        os.close(descriptor)  # releases the lock


def new_stage(root: Path) -> Path:
    """A fresh staging directory in the state directory, on the tree's filesystem."""
    return Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=root / STATE))


def write_journal(root: Path, stage: Path, writes: Sequence[str], deletes: Sequence[str]) -> None:
    """Commit to an apply: staged files synced, then the journal written and synced atomically."""
    for rel in writes:
        _fsync(stage / rel, follow=False)
    state = root / STATE
    entry = {"stage": stage.name, "write": list(writes), "delete": list(deletes)}
    scratch = state / f"{JOURNAL}.tmp"
    scratch.write_text(json.dumps(entry))
    _fsync(scratch)
    os.replace(scratch, state / JOURNAL)
    _fsync(state)


def roll_forward(root: Path) -> tuple[str, ...]:
    """Finish the journalled apply, if any, and clear stale stages; the paths it applied."""
    state = root / STATE
    journal = state / JOURNAL
    done: tuple[str, ...] = ()
    if journal.exists():
        stage, writes, deletes = _read_journal(journal)
        try:
            for rel in deletes:
                _delete(root, rel)
            for rel in writes:
                _move(state / stage / rel, root, rel)
            for folder in {(root / rel).parent for rel in writes}:
                _fsync(folder)
        except OSError as exc:
            raise ApplyError(f"applying stopped part-way in {root}: {exc}",
                             hint=_RECOVER.format(journal=journal)) from exc  # fmt: skip
        journal.unlink()
        _fsync(state)
        done = tuple(sorted({*writes, *deletes}))
    for stale in state.glob(f"{STAGE_PREFIX}*"):
        remove_tree(stale)
    return done


def _read_journal(journal: Path) -> tuple[str, list[str], list[str]]:
    try:
        entry = json.loads(journal.read_text())
        stage, writes, deletes = entry["stage"], entry["write"], entry["delete"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ApplyError(
            f"the apply journal {journal} is unreadable: {exc}",
            hint=f"check the tree by hand, then delete {journal}",
        ) from exc
    paths = [*writes, *deletes] if isinstance(writes, list) and isinstance(deletes, list) else [0]
    if not isinstance(stage, str) or "/" in stage or any(_bad(rel) for rel in paths):
        raise ApplyError(
            f"the apply journal {journal} names a path outside the tree",
            hint=f"check the tree by hand, then delete {journal}",
        )
    return stage, writes, deletes


def _bad(rel: object) -> bool:
    return not isinstance(rel, str) or is_unsafe(rel)


def is_unsafe(rel: str) -> bool:
    """Whether a diff path could leave the tree or reach into `.git`."""
    parts = rel.split("/")
    return rel.startswith("/") or any(p in ("", ".", "..") or p.lower() == ".git" for p in parts)


def _real_parent(root: Path, rel: str, *, create: bool) -> Path | None:
    """The directory to hold `rel`, made if asked; `OSError` if a symlink or file is in the way."""
    folder = root
    for part in rel.split("/")[:-1]:
        folder = folder / part
        info = _lstat(folder)
        if info is None and create:
            folder.mkdir()
        elif info is None:
            return None
        elif not stat.S_ISDIR(info.st_mode):
            raise NotADirectoryError(f"{folder} is not a directory (or is a symlink)")
    return folder


def _delete(root: Path, rel: str) -> None:
    """Remove one file or symlink, then the directories it leaves empty."""
    folder = _real_parent(root, rel, create=False)
    if folder is None:
        return
    target = folder / rel.rsplit("/", 1)[-1]
    info = _lstat(target)
    if info is not None and not stat.S_ISDIR(info.st_mode):
        target.unlink()
    while folder != root:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _move(staged: Path, root: Path, rel: str) -> None:
    """Rename one staged file into place, unless an earlier run of the journal already did."""
    if _lstat(staged) is None:
        return
    folder = _real_parent(root, rel, create=True)
    assert folder is not None
    target = folder / rel.rsplit("/", 1)[-1]
    info = _lstat(target)
    if info is not None and stat.S_ISDIR(info.st_mode):
        target.rmdir()  # emptied by the deletions; `obstacles` refused anything else
    os.replace(staged, target)


def _fsync(path: Path, *, follow: bool = True) -> None:
    if not follow and stat.S_ISLNK(os.lstat(path).st_mode):
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
