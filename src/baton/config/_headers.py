"""HTTP headers and secrets: which values refer to environment variables, which look like secrets.

A token belongs in the environment, not in a file. These helpers recognise the two header forms
that already say so (`Authorization: Bearer ${VAR}` and a value that is just `${VAR}`) so they can
become `bearer_token_env_var` / `env_http_headers`, and flag literal values that look secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["SplitHeaders", "literal_bearer", "literal_secrets", "reference", "split_headers"]

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_BEARER = re.compile(rf"Bearer\s+\$\{{({_NAME})\}}", re.IGNORECASE)
_WHOLE_REFERENCE = re.compile(rf"\$\{{({_NAME})\}}")
_LITERAL_BEARER = re.compile(r"\s*Bearer\s+(?!\$\{)\S", re.IGNORECASE)
_SECRET_NAME = re.compile(r"auth|token|secret|key|password|passwd|cookie|credential", re.I)


@dataclass
class SplitHeaders:
    """Headers sorted by where their value comes from."""

    bearer_token_env_var: str | None = None
    env_http_headers: dict[str, str] = field(default_factory=dict)
    http_headers: dict[str, str] = field(default_factory=dict)


def reference(value: str) -> str | None:
    """The variable name when `value` is exactly `${NAME}` (no default), else None."""
    match = _WHOLE_REFERENCE.fullmatch(value.strip())
    return match[1] if match else None


def split_headers(headers: Mapping[str, str]) -> SplitHeaders:
    """`Authorization: Bearer ${VAR}` -> bearer variable, `${VAR}` -> env header, rest literal."""
    split = SplitHeaders()
    for name, value in headers.items():
        bearer = _BEARER.fullmatch(value.strip())
        if name.lower() == "authorization" and bearer and not split.bearer_token_env_var:
            split.bearer_token_env_var = bearer[1]
        elif variable := reference(value):
            split.env_http_headers[name] = variable
        else:
            split.http_headers[name] = value
    return split


def literal_secrets(values: Mapping[str, str]) -> list[str]:
    """Names whose value looks like a secret written out: a secret-ish name and no `${...}`."""
    return [
        name
        for name, value in values.items()
        if _SECRET_NAME.search(name) and value.strip() and "${" not in value
    ]


def literal_bearer(values: list[str]) -> bool:
    """Whether any value is a `Bearer <token>` written out (as in `mcp-proxy -H` arguments)."""
    return any(_LITERAL_BEARER.match(value) for value in values)
