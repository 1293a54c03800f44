"""Stage 1 on the changed paths: scope, denied and protected globs, and escaping symlinks. Pure.

Globs are matched by the policy's own matcher (`baton.policy.paths.matching_glob`, gitignore
semantics): `.env` or `*.pem` without a slash match at any depth, `src/billing/**` matches
everything below it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence

from baton.audit._findings import ChangeLike, Finding
from baton.policy.paths import matching_glob

__all__ = ["audit_changes", "display"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def display(path: str) -> str:
    """`path` with control characters spelled as `\\xNN`, safe to print in a message."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", path)


def _touched(change: ChangeLike) -> Iterator[tuple[str, str]]:
    """Every path `change` touches, with how: a rename touches its old path too."""
    if change.status == "renamed" and change.old_path is not None:
        yield change.old_path, f"renamed to {display(change.path)}"
        yield change.path, f"renamed from {display(change.old_path)}"
    else:
        yield change.path, change.status


def _path_findings(
    path: str, how: str, scope: Sequence[str], denied: Sequence[str], protected: Sequence[str]
) -> Iterator[Finding]:
    shown = f"{display(path)} ({how})"
    if matching_glob(path, scope) is None:
        where = ", ".join(scope) if scope else "no path is in scope"
        yield Finding(
            "spec", "out-of-scope", path,
            f"{shown} is outside the task's scope ({where}); revert your change to it.",
        )  # fmt: skip
    if (pattern := matching_glob(path, denied)) is not None:
        yield Finding(
            "security", "denied-path", path,
            f"{shown} is a denied path (matches '{pattern}'); never create, change or delete it.",
        )  # fmt: skip
    if (pattern := matching_glob(path, protected)) is not None:
        yield Finding(
            "spec", "protected-path", path,
            f"{shown} is a protected path (matches '{pattern}') that only the lead may change; "
            "revert your change to it.",
        )  # fmt: skip


def _link_findings(
    change: ChangeLike, denied: Sequence[str], protected: Sequence[str]
) -> Iterator[Finding]:
    """A symlink must stay inside the workspace and must not point at a denied or protected path."""
    if not change.is_symlink or change.status == "deleted":
        return
    path, target = change.path, change.symlink_target
    link = f"the symlink {display(path)} -> {display(target or '?')}"
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target or ""))
    if not target or target.startswith("/") or resolved == ".." or resolved.startswith("../"):
        yield Finding(
            "security", "symlink-escape", path,
            f"{link} points outside the workspace; remove it and refer to files inside the "
            "repository by relative paths that stay inside it.",
        )  # fmt: skip
        return
    if (pattern := matching_glob(resolved, denied)) is not None:
        yield Finding(
            "security", "denied-path", path,
            f"{link} points at the denied path {display(resolved)} (matches '{pattern}'); "
            "remove the link.",
        )  # fmt: skip
    if (pattern := matching_glob(resolved, protected)) is not None:
        yield Finding(
            "spec", "protected-path", path,
            f"{link} points at the protected path {display(resolved)} (matches '{pattern}'); "
            "remove the link.",
        )  # fmt: skip


def audit_changes(
    changes: Sequence[ChangeLike],
    *,
    scope: Sequence[str],
    denied: Sequence[str],
    protected: Sequence[str],
) -> list[Finding]:
    """Findings for every changed path outside scope, denied, protected, or an escaping symlink."""
    found: set[Finding] = set()
    for change in changes:
        for path, how in _touched(change):
            found.update(_path_findings(path, how, scope, denied, protected))
        found.update(_link_findings(change, denied, protected))
    return sorted(found, key=lambda f: (f.path or "", f.rule, f.message))
