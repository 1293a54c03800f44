"""`${VAR}` and `${VAR:-default}` expansion, with the semantics Claude Code gives `.mcp.json`.

Values in `baton.toml` may hold references instead of secrets; they are expanded when a server is
connected, so a token never has to be written into a file. Hand-written because `os.path.expandvars`
has no `:-default` form and silently keeps unknown names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from baton.errors import ConfigError

__all__ = ["expand", "references"]

_REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")


def expand(value: str, environ: Mapping[str, str], *, where: str) -> str:
    """Replace each `${VAR}` / `${VAR:-default}`; an unset VAR with no default is an error."""

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group("name"), match.group("default")
        if name in environ:
            return environ[name]
        if default is not None:
            return default
        raise ConfigError(
            f"environment variable {name} is not set",
            key=where,
            hint=f"export {name}=... or write ${{{name}:-default}} to give a default",
        )

    return _REFERENCE.sub(substitute, value)


def references(value: str) -> list[str]:
    """The variable names `value` refers to, in order."""
    return [match.group("name") for match in _REFERENCE.finditer(value)]
