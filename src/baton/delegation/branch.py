"""A branch's changes against its base, read with git: what `baton audit` audits in CI.

The base is the merge-base of a named revision (default: the upstream default branch) and HEAD,
so the audit sees only what the branch did, however far the base branch has moved since. By
default only commits count (CI checks the committed branch); `worktree=True` adds staged, unstaged
and untracked-but-not-ignored files, staged into a scratch index and object store the way the
workspace snapshot does, so the user's index and object store are never written.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from baton.delegation._snapshot import WorkspaceError, git, remove_tree, staging_env
from baton.delegation.workspace import Change, parse_changes
from baton.errors import UsageError

__all__ = ["DEFAULT_BASES", "BranchChanges", "branch_changes", "repository_root", "resolve_base"]

# The upstream default branch, as a CI checkout or a developer's clone names it: remote refs
# first, since a local `main` may lag behind the branch the work was based on.
DEFAULT_BASES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")
_SHALLOW_HINT = "in CI, fetch the history (actions/checkout with `fetch-depth: 0`)"
_DIFF_OPTIONS = (
    "-M", "--no-color", "--no-ext-diff", "--no-textconv", "--no-relative",
    "--src-prefix=a/", "--dst-prefix=b/",
)  # fmt: skip


@dataclass(frozen=True)
class BranchChanges:
    """What a branch changed: base and head commits, the changed paths and the unified diff."""

    root: Path
    base_rev: str  # the revision as named, or the default found
    base: str  # the merge-base of base_rev and HEAD
    head: str
    worktree: bool
    changes: tuple[Change, ...]
    diff: str


def repository_root(cwd: Path) -> Path:
    """The top of the git working tree `cwd` is in; `UsageError` when it is in none."""
    try:
        top = git(cwd, "rev-parse", "--show-toplevel")
    except WorkspaceError as exc:
        raise UsageError(
            f"{cwd} is not inside a git working tree ({exc.message})",
            hint="run `baton audit` in a git checkout",
        ) from exc
    return Path(os.fsdecode(top.rstrip(b"\n")))


def _commit(root: Path, rev: str) -> str | None:
    """The commit `rev` names in `root`, or None."""
    if rev.startswith("-"):
        return None  # never let a revision be read as an option
    try:
        found = git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except WorkspaceError:
        return None
    return found.decode().strip()


def resolve_base(root: Path, rev: str | None) -> tuple[str, str]:
    """(name, commit) of `rev`, or of the first of `DEFAULT_BASES` that exists."""
    if rev is not None:
        commit = _commit(root, rev)
        if commit is None:
            raise UsageError(
                f"--base '{rev}' is not a commit in {root}",
                hint=f"name a branch, tag or commit that exists; {_SHALLOW_HINT}",
            )
        return rev, commit
    for candidate in DEFAULT_BASES:
        if (commit := _commit(root, candidate)) is not None:
            return candidate, commit
    raise UsageError(
        f"no base branch found in {root}: tried {', '.join(DEFAULT_BASES)}",
        hint=f"name the base with --base REV (e.g. --base origin/develop); {_SHALLOW_HINT}",
    )


def _merge_base(root: Path, base_rev: str, base: str, head: str) -> str:
    try:
        return git(root, "merge-base", base, head).decode().strip()
    except WorkspaceError as exc:
        raise UsageError(
            f"'{base_rev}' and HEAD have no common ancestor in {root}",
            hint=f"the history may be shallow: {_SHALLOW_HINT}",
        ) from exc


def branch_changes(cwd: Path, base: str | None = None, *, worktree: bool = False) -> BranchChanges:
    """The changes from the merge-base of `base` and HEAD to HEAD (or to the working tree)."""
    root = repository_root(cwd)
    head = _commit(root, "HEAD")
    if head is None:
        raise UsageError(f"{root} has no commit yet", hint="commit the work to audit first")
    base_rev, base_commit = resolve_base(root, base)
    merge_base = _merge_base(root, base_rev, base_commit, head)
    if not worktree:
        changes, diff = _read(root, (merge_base, head), {})
        return BranchChanges(root, base_rev, merge_base, head, False, changes, diff)
    scratch = Path(tempfile.mkdtemp(prefix="baton-audit-"))
    try:
        env = staging_env(root, scratch)
        git(root, "add", "-A", env=env)
        changes, diff = _read(root, ("--cached", merge_base), env)
    finally:
        remove_tree(scratch)
    return BranchChanges(root, base_rev, merge_base, head, True, changes, diff)


def _read(
    root: Path, between: tuple[str, ...], env: dict[str, str]
) -> tuple[tuple[Change, ...], str]:
    """The changed paths and the unified diff between `between`, with `env` (a scratch index)."""
    raw = git(root, "diff", "-M", "--raw", "-z", "--no-abbrev", *between, "--", env=env)

    def link_target(_path: str, blob: str) -> str:
        return os.fsdecode(git(root, "cat-file", "blob", blob, env=env))

    changes = tuple(parse_changes(raw, link_target))
    diff = git(root, "diff", *_DIFF_OPTIONS, *between, "--", env=env)
    return changes, diff.decode("utf-8", "surrogateescape")
