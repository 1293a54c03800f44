"""Applying a passed run's diff to the lead's tree: all or nothing, refused if the tree moved.

Every path the diff touches (renamed-from and deleted ones included) must still be what it was
in the workspace's base commit, its `Fingerprint`, hashed the way the snapshot hashed it (a copy
of the lead's index, `update-index`, so filters, line endings and the executable bit agree).
Then git applies the diff to a scratch index holding only those paths (`apply --cached`: every
hunk or none), checks the result out with the lead's attributes into a staging directory on the
tree's filesystem, and the files move into place by rename(2) under a journal, so a crash at any
point is finished by the next `apply_diff` or `recover`. Git never writes into the lead's `.git`.

    ApplyError(BatonError)   the diff does not apply, or cannot be written; names the file
    └── ApplyRefused         the lead's tree moved under a touched path since the run started
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from baton.delegation import _lead_tree as tree
from baton.delegation._apply_types import AppliedDiff, ApplyError, ApplyRefused, Fingerprint
from baton.delegation._snapshot import (
    WorkspaceError,
    git,
    nul_joined,
    private_env,
    remove_tree,
    split,
    staging_env,
)
from baton.delegation.workspace import Workspace

__all__ = [
    "AppliedDiff",
    "ApplyError",
    "ApplyRefused",
    "Fingerprint",
    "apply_diff",
    "fingerprint_base",
    "recover",
]

_LITERAL = {"GIT_LITERAL_PATHSPECS": "1"}


def fingerprint_base(workspace: Workspace, paths: Sequence[str]) -> list[Fingerprint]:
    """What each path was in the workspace's base commit, read through Baton's private git dir."""
    wanted = sorted(set(paths))
    env = private_env(workspace.git_dir, workspace.path)
    found: dict[str, Fingerprint] = {}
    if wanted:
        listing = git(workspace.path, "ls-tree", "-z", "--full-tree", workspace.base, "--",
                      *wanted, env=env)  # fmt: skip
        for entry in split(listing):
            meta, rel = entry.split("\t", 1)
            mode, kind, blob = meta.split(" ")
            if kind != "tree":  # a directory is no content: `_lead_tree.obstacles` checks it
                found[rel] = Fingerprint(rel, blob, mode)
    return [found.get(rel, Fingerprint(rel, None, None)) for rel in wanted]


def apply_diff(repo: Path, diff: str, base: Sequence[Fingerprint]) -> AppliedDiff:
    """Apply `diff` to the lead's working tree whole, or refuse and write nothing."""
    root = _toplevel(repo)
    with tree.locked(root):
        tree.roll_forward(root)  # a crashed apply is finished before anything else
        applied = _prepare(root, diff, base)
        tree.roll_forward(root)
    return applied


def recover(repo: Path) -> tuple[str, ...]:
    """Finish an apply that a crash interrupted; the paths it completed, () if none was pending."""
    root = _toplevel(repo)
    with tree.locked(root):
        return tree.roll_forward(root)


def _toplevel(repo: Path) -> Path:
    try:
        top = git(repo, "rev-parse", "--show-toplevel").decode().strip()
    except WorkspaceError as exc:
        raise ApplyError(f"cannot apply to {repo}: {exc.message}",
                         hint="apply inside the lead's git repository") from exc  # fmt: skip
    return Path(top).resolve()


def _prepare(root: Path, diff: str, base: Sequence[Fingerprint]) -> AppliedDiff:
    """Check, apply in scratch, stage and journal the diff: everything but the moves."""
    if not diff.strip():
        return AppliedDiff((), 0, 0)
    patch = diff.encode("utf-8", "surrogateescape")
    counts = _numstat(root, patch)
    touched = sorted({rel for *_, rel in counts} | {rel for *_, rel in _numstat(root, patch, True)})
    expected = _expected(root, touched, base)
    before = {rel: tree.probe(root, rel, set(touched)) for rel in touched}
    with _Scratch(root) as scratch:
        _refuse_moved(root, expected, before, scratch.fingerprint(before))
        result = scratch.apply(patch, expected)
        writes = [rel for rel, now in result.items() if now != expected[rel]]
        deletes = [rel for rel in touched if expected[rel].blob and rel not in result]
        if blocked := tree.obstacles(root, writes, deletes):
            raise ApplyRefused(str(root), blocked)
        stage = tree.new_stage(root)
        try:
            scratch.check_out(writes, stage)
            tree.check_writable(root, stage, [*writes, *deletes])
            _refuse_changed(
                root, before, {rel: tree.probe(root, rel, set(touched)) for rel in touched}
            )
            tree.write_journal(root, stage, writes, deletes)
        except BaseException:
            remove_tree(stage)
            raise
    added = sum(n for n, _, _ in counts)
    return AppliedDiff(tuple(sorted({*writes, *deletes})), added, sum(n for _, n, _ in counts))


def _numstat(root: Path, patch: bytes, reverse: bool = False) -> list[tuple[int, int, str]]:
    """(lines added, removed, path) per file; reversed, the old name of each rename instead."""
    try:
        out = git(root, "apply", "--numstat", "-z", *(["-R"] if reverse else []), "-",
                  stdin=patch)  # fmt: skip
    except WorkspaceError as exc:
        raise ApplyError(
            f"the diff for {root} cannot be read: {_reason(exc, root)}",
            hint="pass the run's diff as `Workspace.diff()` made it",
        ) from exc
    stats = []
    for record in split(out):
        added, removed, rel = record.split("\t", 2)
        stats.append(
            (int(added) if added != "-" else 0, int(removed) if removed != "-" else 0, rel)
        )
    return stats


def _expected(
    root: Path, touched: Sequence[str], base: Sequence[Fingerprint]
) -> dict[str, Fingerprint]:
    """The fingerprint of every touched path; `ApplyError` on an unsafe or unfingerprinted one."""
    given = {fingerprint.path: fingerprint for fingerprint in base}
    for rel in touched:
        if tree.is_unsafe(rel):
            raise ApplyError(
                f"the diff for {root} touches {rel!r}, outside the tree or in .git",
                hint="refuse this run's diff: audit should have blocked it",
            )
        if rel not in given:
            raise ApplyError(f"no fingerprint of {rel!r} was taken for the diff to {root}",
                             hint="fingerprint every path and old path of the workspace's "
                                  "changes() with fingerprint_base")  # fmt: skip
    return {rel: given[rel] for rel in touched}


def _refuse_moved(
    root: Path,
    expected: Mapping[str, Fingerprint],
    entries: Mapping[str, tree.Entry],
    hashed: Mapping[str, Fingerprint],
) -> None:
    """`ApplyRefused` listing every touched path that is no longer what the run started from."""
    moved: list[tuple[str, str]] = []
    for rel, was in expected.items():
        entry = entries[rel]
        if entry.kind == "blocked":
            moved.append((rel, f"now lies behind the symbolic link {entry.blocker}"))
        elif entry.kind == "other":
            moved.append((rel, "is now neither a file nor a symbolic link"))
        elif (why := _difference(was, hashed.get(rel, Fingerprint(rel, None, None)))) is not None:
            moved.append((rel, why))
    if moved:
        raise ApplyRefused(str(root), moved)


def _refuse_changed(
    root: Path, before: Mapping[str, tree.Entry], after: Mapping[str, tree.Entry]
) -> None:
    """`ApplyRefused` if a touched path changed between the check and the journal."""
    moved = [(rel, "changed while the diff was being staged")
             for rel, entry in before.items() if after[rel] != entry]  # fmt: skip
    if moved:
        raise ApplyRefused(str(root), moved)


def _difference(was: Fingerprint, now: Fingerprint) -> str | None:
    if (was.blob, was.mode) == (now.blob, now.mode):
        return None
    if was.blob is None:
        return "was created since the run started"
    if now.blob is None:
        return "was deleted since the run started"
    if was.blob == now.blob:
        return f"changed mode since the run started ({was.mode} -> {now.mode})"
    return "was modified since the run started"


def _reason(exc: WorkspaceError, root: Path) -> str:
    """Git's own words from a failed call, without the command prefix."""
    return exc.message.partition(f"{root}: ")[2] or exc.message


class _Scratch:
    """Scratch indexes and object store beside the lead's: git writes there, never to the lead.

    `index` is a copy of the lead's index, staged into as the workspace snapshot was
    (`staging_env`); `applied` starts empty and takes the diff.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dir = Path(tempfile.mkdtemp(prefix="baton-apply-"))
        self._env = _LITERAL | staging_env(root, self.dir)

    def __enter__(self) -> _Scratch:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        remove_tree(self.dir)

    def _git(self, index: str, *args: str, stdin: bytes | None = None) -> bytes:
        env = self._env | {"GIT_INDEX_FILE": str(self.dir / index)}
        return git(self.root, *args, env=env, stdin=stdin)

    def _entries(self, index: str, paths: Sequence[str] = ()) -> dict[str, Fingerprint]:
        listing = self._git(index, "ls-files", "-s", "-z", "--", *paths)
        entries: dict[str, Fingerprint] = {}
        for entry in split(listing):
            meta, rel = entry.split("\t", 1)
            mode, blob, _stage = meta.split(" ")
            entries[rel] = Fingerprint(rel, blob, mode)
        return entries

    def fingerprint(self, entries: Mapping[str, tree.Entry]) -> dict[str, Fingerprint]:
        """Hash the present paths as `git add` would into a copy of the lead's index."""
        present = [rel for rel, entry in entries.items() if entry.kind in ("file", "symlink")]
        if not present:
            return {}
        listing = nul_joined(present)
        self._git("index", "update-index", "--add", "--remove", "-z", "--stdin", stdin=listing)
        hashed = self._entries("index", present)
        return {rel: hashed[rel] for rel in present if rel in hashed}

    def apply(self, patch: bytes, expected: Mapping[str, Fingerprint]) -> dict[str, Fingerprint]:
        """The touched paths after the diff, applied whole or not at all to a scratch index."""
        info = b"".join(
            f"{fp.mode} {fp.blob}\t".encode() + os.fsencode(rel) + b"\0"
            for rel, fp in expected.items()
            if fp.blob is not None
        )
        if info:
            self._git("applied", "update-index", "-z", "--index-info", stdin=info)
        try:
            self._git("applied", "apply", "--cached", "--whitespace=nowarn", "-", stdin=patch)
        except WorkspaceError as exc:
            raise ApplyError(f"the diff does not apply to {self.root}: {_reason(exc, self.root)}",
                             hint="the tree matches the run's start, so the diff itself is "
                                  "broken: re-run the delegation") from exc  # fmt: skip
        return self._entries("applied")

    def check_out(self, paths: Sequence[str], stage: Path) -> None:
        """Write the applied files into `stage` as a checkout would: filters, eol, mode, links."""
        if paths:
            self._git("applied", "checkout-index", "-z", "--stdin", f"--prefix={stage}/",
                      stdin=nul_joined(paths))  # fmt: skip
        if missing := [rel for rel in paths if not os.path.lexists(stage / rel)]:
            raise ApplyError(
                f"the diff for {self.root} makes {missing[0]!r} something Baton cannot write "
                "(a submodule?)",
                hint="apply the run's diff by hand with `git apply`",
            )
