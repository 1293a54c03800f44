"""The isolated workspace: a private copy of the repository as the lead sees it, denied paths gone.

The copy holds the lead's working tree (HEAD plus staged, unstaged and untracked-but-not-ignored
files) minus every path the policy denies, and is a fresh git repository whose one commit, `base`,
is that filtered snapshot (built in `_snapshot`). It never shares the lead's object store and is
never hardlinked to the lead's files, so the worker can neither read a denied file through git nor
write into the lead's tree. What the worker did is then `changes()` / `diff()` against `base`.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import pathspec

from baton.delegation._snapshot import (
    WorkspaceError,
    build_snapshot,
    git,
    is_denied,
    nul_joined,
    private_env,
    remove_tree,
    split,
)

__all__ = [
    "Change",
    "ChangeStatus",
    "Workspace",
    "WorkspaceError",
    "create_workspace",
    "parse_changes",
]

ChangeStatus = Literal["added", "modified", "deleted", "renamed", "type-changed"]

PREFIX = "baton-ws-"
_STATUS: dict[str, ChangeStatus] = {
    "A": "added",
    "M": "modified",
    "D": "deleted",
    "R": "renamed",
    "T": "type-changed",
}
_SYMLINK_MODE = 0o120000


@dataclass(frozen=True)
class Change:
    """One path the worker changed, as git reports it against the base commit."""

    path: str
    status: ChangeStatus
    mode: int
    old_path: str | None = None
    is_symlink: bool = False
    symlink_target: str | None = None


@dataclass
class Workspace:
    """An isolated copy of a repository; removed on leaving its `with` block unless `keep`."""

    path: Path
    base: str
    git_dir: Path
    denied: Sequence[str] = ()
    omitted: tuple[str, ...] = ()
    keep: bool = False
    _spec: pathspec.PathSpec[Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._spec = pathspec.PathSpec.from_lines("gitignore", self.denied)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self.keep:
            self.remove()

    def changes(self) -> list[Change]:
        """Every path changed since `base`, renames detected; denied files count even if ignored."""
        self._stage()
        raw = self._git("diff", "--cached", "-M", "--raw", "-z", "--no-abbrev", self.base)
        return parse_changes(raw, lambda path, _blob: os.readlink(self.path / path))

    def diff(self) -> str:
        """A unified diff against `base`, binary files included, that `git apply` takes."""
        self._stage()
        return self._git(
            "diff", "--cached", "-M", "--binary", "--full-index", "--no-color",
            "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/", self.base,
        ).decode("utf-8", "surrogateescape")  # fmt: skip

    def checkpoint(self) -> str:
        """Record the workspace as it stands (a tree in Baton's private store); return its id."""
        self._stage()
        return self._git("write-tree").decode().strip()

    def restore(self, tree: str) -> None:
        """Put the workspace back to a checkpoint: what checks and gates wrote is undone.

        Files the checkpoint does not hold are removed unless ignored (caches a test run leaves
        behind stay, as they would in the lead's tree).
        """
        self._git("read-tree", "-u", "--reset", tree)
        self._git("clean", "-fdq")

    def remove(self) -> None:
        """Delete the workspace, read-only files and directories included."""
        remove_tree(self.path)
        remove_tree(self.git_dir)

    def _git(self, *args: str, stdin: bytes | None = None) -> bytes:
        """Git on Baton's private view of the workspace, never on the worker's `.git`."""
        return git(self.path, *args, env=private_env(self.git_dir, self.path), stdin=stdin)

    def _stage(self) -> None:
        """Stage everything the worker did, plus denied files even where .gitignore hides them."""
        self._git("add", "-A")
        ignored = self._git("ls-files", "-z", "--others", "--ignored", "--exclude-standard")
        denied = [p for p in split(ignored) if is_denied(self._spec, p)]
        if denied:
            listing = nul_joined(denied)
            self._git("add", "-f", "--pathspec-from-file=-", "--pathspec-file-nul", stdin=listing)


def create_workspace(
    repo: Path, *, denied: Sequence[str], parent: Path | None = None, keep: bool = False
) -> Workspace:
    """Snapshot `repo` as its working tree stands into a fresh repository, denied paths absent."""
    repo = repo.resolve()
    spec = pathspec.PathSpec.from_lines("gitignore", denied)
    path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
    private = Path(f"{path}.git")  # beside the workspace, outside what the worker is given
    try:
        base, omitted = build_snapshot(repo, path, private, spec)
    except BaseException:
        remove_tree(path)
        remove_tree(private)
        raise
    return Workspace(path, base, private, tuple(denied), omitted, keep)


def parse_changes(raw: bytes, link_target: Callable[[str, str], str]) -> list[Change]:
    """The changes `git diff --raw -z --no-abbrev` lists; `link_target(path, blob)` reads the
    target of a symlink (from the disk, or from its blob when the tree is not checked out)."""
    changes: list[Change] = []
    for meta, path, old_path in _parse_raw(raw):
        old_mode, new_mode, _, new_blob, letter = meta.lstrip(":").split(" ")
        status = _STATUS.get(letter[0], "modified")
        mode = int(old_mode if status == "deleted" else new_mode, 8)
        is_link = stat.S_IFMT(mode) == _SYMLINK_MODE
        target = link_target(path, new_blob) if is_link and status != "deleted" else None
        changes.append(Change(path, status, mode, old_path, is_link, target))
    return changes


def _parse_raw(output: bytes) -> list[tuple[str, str, str | None]]:
    """(metadata, path, old path) from `git diff --raw -z` output."""
    parts = split(output)
    entries: list[tuple[str, str, str | None]] = []
    index = 0
    while index < len(parts):
        meta = parts[index]
        if meta.split(" ")[-1][0] in "RC":
            entries.append((meta, parts[index + 2], parts[index + 1]))
            index += 3
        else:
            entries.append((meta, parts[index + 1], None))
            index += 2
    return entries
