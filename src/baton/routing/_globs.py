"""What a task's scope globs reach: protected patterns they touch, modules they span. Pure.

A scope glob names many paths, so it is tested through a few representative paths it matches
(`src/*` stands for `src/x`, `src/x/x`, ...). Patterns use gitignore semantics (the policy's
`baton.policy.paths.matcher`): `.env` or `*.pem` without a slash match at any depth.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from baton.policy.paths import matcher

__all__ = ["ModuleSpan", "modules_of", "touching"]

_WILD = re.compile(r"[*?\[]")


def _representatives(glob: str) -> list[str]:
    """Concrete paths that `glob` matches, chosen to hit the ways a pattern can match them."""
    glob = glob.strip().strip("/")
    glob = re.sub(r"\[[^\]]*\]", "x", glob).replace("?", "x")
    variants = {
        glob.replace("**", "x").replace("*", "x"),
        glob.replace("**/", "").replace("**", "").replace("*", ""),
        glob.replace("**", "x/x").replace("*", "x"),
    }
    paths = {p.strip("/") for p in variants if p.strip("/")}
    return sorted(paths | {f"{p}/x" for p in paths} | ({"x"} if not paths else set()))


def touching(scope: Sequence[str], patterns: Sequence[str]) -> list[tuple[str, str]]:
    """(scope glob, pattern) for every scope glob that reaches a path one of `patterns` matches."""
    found: list[tuple[str, str]] = []
    for glob in scope:
        for pattern in patterns:
            spec = matcher([pattern])
            if any(spec.match_file(path) for path in _representatives(glob)):
                found.append((glob, pattern))
    return found


@dataclass(frozen=True)
class ModuleSpan:
    """The modules a scope lies in, and the globs that reach into more than one module."""

    modules: frozenset[str]
    spanning: tuple[tuple[str, str], ...]  # (scope glob, module pattern)

    @property
    def is_multi_module(self) -> bool:
        """True when the scope touches more than one module."""
        return len(self.modules) > 1 or bool(self.spanning)


def _module(glob: str, pattern: str) -> str | bool | None:
    """The module of `glob` under `pattern`; True if it spans several; None if outside."""
    parts, pattern_parts = glob.strip("/").split("/"), pattern.strip("/").split("/")
    for index, module_part in enumerate(pattern_parts):
        if index == len(parts):
            return True  # an ancestor directory of the modules, like `src`
        part = parts[index]
        if part == "**":
            return True
        if _WILD.search(part) and _WILD.search(module_part):
            is_file = index == len(parts) - 1 and "." in part
            return None if is_file else True
        if not fnmatchcase(part, module_part):
            return None
    return "/".join(parts[: len(pattern_parts)])


def modules_of(scope: Sequence[str], module_patterns: Sequence[str]) -> ModuleSpan:
    """Which modules (directories matching `module_patterns`) each scope glob lies in."""
    modules: set[str] = set()
    spanning: list[tuple[str, str]] = []
    for glob in scope:
        for pattern in module_patterns:
            found = _module(glob, pattern)
            if found is True:
                spanning.append((glob, pattern))
            elif isinstance(found, str):
                modules.add(found)
    return ModuleSpan(frozenset(modules), tuple(spanning))
