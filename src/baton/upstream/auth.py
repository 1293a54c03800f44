"""HTTP headers and authorization for `url` servers, resolved from the environment at connect time.

Secrets live in environment variables, never in `baton.toml`: `bearer_token_env_var` names the
variable holding a bearer token, `env_http_headers` maps a header to the variable holding its value.
The resolved headers exist only on the way into the HTTP client; nothing here stores, logs or puts
a value into an error message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from baton.auth.store import TokenRecord
from baton.config.expand import expand
from baton.config.schema import ServerConfig
from baton.errors import ConfigError, UpstreamConfigError

__all__ = [
    "AuthSummary",
    "describe_auth",
    "describe_oauth",
    "expand_value",
    "resolve_headers",
]

AuthKind = Literal["none", "bearer", "headers", "oauth"]


@dataclass(frozen=True)
class AuthSummary:
    """How a server authorizes, for `baton servers list|doctor`: never the secret itself."""

    kind: AuthKind
    state: str


def expand_value(server: str, value: str, environ: Mapping[str, str], *, key: str) -> str:
    """`${VAR}` expansion of one config value, errors re-raised as the server's config error."""
    try:
        return expand(value, environ, where=f"servers.{server}.{key}")
    except ConfigError as exc:
        raise UpstreamConfigError(server, exc.message, hint=exc.hint) from exc


def _from_env(server: str, variable: str, environ: Mapping[str, str], *, key: str) -> str:
    value = environ.get(variable)
    if not value:
        raise UpstreamConfigError(
            server,
            f"environment variable {variable} (named by `{key}`) is not set",
            hint=f"export {variable}=... before starting Baton",
        )
    return value


def resolve_headers(
    server: str, config: ServerConfig, environ: Mapping[str, str]
) -> dict[str, str]:
    """Every header to send: `http_headers`, then `env_http_headers`, then the bearer token."""
    headers = {
        name: expand_value(server, value, environ, key=f"http_headers.{name}")
        for name, value in config.http_headers.items()
    }
    for name, variable in config.env_http_headers.items():
        headers[name] = _from_env(server, variable, environ, key=f"env_http_headers.{name}")
    if config.bearer_token_env_var:
        variable = config.bearer_token_env_var
        token = _from_env(server, variable, environ, key="bearer_token_env_var")
        headers["Authorization"] = f"Bearer {token}"
    return headers


def _env_state(variables: list[str], environ: Mapping[str, str]) -> str:
    unset = [variable for variable in variables if not environ.get(variable)]
    if unset:
        return "env " + ", ".join(unset) + " unset"
    return "from env " + ", ".join(variables) + " (set)"


def _until(seconds: float) -> str:
    if seconds >= 5400:
        return f"{seconds / 3600:.0f}h"
    return f"{seconds / 60:.0f}m" if seconds >= 90 else f"{seconds:.0f}s"


def describe_oauth(record: TokenRecord, now: float) -> str:
    """The state of a stored OAuth login, e.g. "logged in, expires in 52m, scopes mcp"."""
    assert record.tokens is not None
    refresh = record.tokens.refresh_token is not None
    if record.expires_at is None:
        state = "logged in, no expiry given"
    elif record.expires_at > now:
        state = f"logged in, expires in {_until(record.expires_at - now)}"
    else:
        state = "expired, refreshed on next use" if refresh else "expired: run `baton login`"
    if record.tokens.scope:
        state += f", scopes {record.tokens.scope}"
    return state


def describe_auth(
    config: ServerConfig,
    environ: Mapping[str, str],
    record: TokenRecord | None = None,
    *,
    now: float = 0.0,
) -> AuthSummary:
    """What kind of authorization `config` uses and whether it is in place (`record`: the stored
    OAuth login of a `url` server, if any). A bearer server is never "not logged in"."""
    if config.bearer_token_env_var:
        variable = config.bearer_token_env_var
        if environ.get(variable):
            return AuthSummary("bearer", f"token from env {variable} (set)")
        return AuthSummary("bearer", f"env {variable} unset")
    if config.env_http_headers:
        return AuthSummary("headers", _env_state(list(config.env_http_headers.values()), environ))
    if config.http_headers:
        return AuthSummary("headers", "static headers: " + ", ".join(config.http_headers))
    if config.url is None:
        return AuthSummary("none", "not required")
    if record is not None and record.tokens is not None:
        return AuthSummary("oauth", describe_oauth(record, now))
    if config.oauth is not None:
        return AuthSummary("oauth", "not logged in")
    return AuthSummary("none", "no credentials (OAuth login if the server asks)")
