"""Paths as the policy sees them: normalised every way an attacker might spell them, then matched.

Matching uses gitignore semantics (pathspec's `gitignore` patterns): a pattern without a slash, like
`.env` or `*.pem`, matches that name at any depth, which is what a deny list means.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pathspec

__all__ = ["PathView", "first_match", "matcher", "matching_glob", "neutralised", "normalise"]


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class PathView:
    """A normalised path: `text` relative to the project root when inside it, else absolute."""

    text: str
    inside: bool
    forms: tuple[str, ...]


def _lexical(path: str, cwd: str, root: str) -> str:
    path = path.replace("\\", "/") if "\\" in path and "/" not in path else path
    if path == "~" or path.startswith("~/"):
        return "/~" + path[1:]  # a home path: outside any project, matched by its components
    if not path.startswith("/"):
        path = posixpath.join(cwd or root or "", path)
    normal = posixpath.normpath(path) if path else "."
    return "/" + normal.lstrip("/") if normal.startswith("//") else normal


def _relative(normal: str, root: str) -> tuple[str, bool]:
    if not root:
        return normal, not (normal.startswith("/") or normal.startswith(".."))
    root = posixpath.normpath(root)
    if normal == root:
        return ".", True
    if normal.startswith(root.rstrip("/") + "/"):
        return normal[len(root.rstrip("/")) + 1 :], True
    if not normal.startswith("/"):
        return normal, not normal.startswith("..")
    return normal, False


def normalise(
    path: str, *, cwd: str = "", root: str = "", case_insensitive: bool = False
) -> PathView:
    """Resolve `..`, `./`, duplicate slashes and unicode forms; relate the path to `root`."""
    text, inside = _relative(_lexical(path, cwd, root), root)
    forms = {text, unicodedata.normalize("NFC", text), unicodedata.normalize("NFKC", text)}
    if case_insensitive:
        forms |= {form.casefold() for form in forms}
    return PathView(text=text, inside=inside, forms=tuple(sorted(forms)))


@lru_cache(maxsize=64)
def _spec(patterns: tuple[str, ...], case_insensitive: bool) -> pathspec.PathSpec[Any]:
    lines = [p.casefold() for p in patterns] if case_insensitive else list(patterns)
    return pathspec.PathSpec.from_lines("gitignore", lines)


def matcher(patterns: Sequence[str], *, case_insensitive: bool = False) -> pathspec.PathSpec[Any]:
    """A compiled, cached matcher for a list of globs."""
    return _spec(tuple(patterns), case_insensitive)


def first_match(
    view: PathView, patterns: Sequence[str], *, case_insensitive: bool = False
) -> str | None:
    """The first pattern any form of `view` matches, or None."""
    for form in view.forms:
        pattern = matching_glob(form, patterns, case_insensitive=case_insensitive)
        if pattern is not None:
            return pattern
    return None


def neutralised(path: str) -> str:
    """`path` with its control characters replaced, ready for a gitignore-style match.

    pathspec's regexes do not match across a newline: a directory named "\n" would hide `.env`
    from them. No glob holds a control character, so replacing them changes no other answer.
    """
    return _CONTROL.sub("_", path)


def matching_glob(
    path: str, patterns: Sequence[str], *, case_insensitive: bool = False
) -> str | None:
    """The first pattern `path`, as spelled (not normalised), matches, or None."""
    candidate = neutralised(path).lstrip("/")
    if not candidate or candidate == ".":
        return None
    for pattern in patterns:
        if matcher([pattern], case_insensitive=case_insensitive).match_file(candidate):
            return pattern
    return None
