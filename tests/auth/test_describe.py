"""What `baton auth status` and `servers doctor` say about a server's authorization."""

from __future__ import annotations

import pytest
from mcp.shared.auth import OAuthToken

from baton.auth.store import TokenRecord
from baton.config.schema import OAuthConfig, ServerConfig
from baton.upstream.auth import describe_auth

NOW = 1_000_000.0
URL = "https://mcp.example.com/mcp"


def _record(expires_in: float | None, refresh: bool = True) -> TokenRecord:
    token = OAuthToken(
        access_token="at-secret-value", scope="repo read", refresh_token="rt" if refresh else None
    )
    expires_at = None if expires_in is None else NOW + expires_in
    return TokenRecord(tokens=token, expires_at=expires_at)


@pytest.mark.parametrize(
    ("config", "environ", "record", "kind", "state"),
    [
        (ServerConfig(command="x"), {}, None, "none", "not required"),
        (
            ServerConfig(url=URL),
            {},
            None,
            "none",
            "no credentials (OAuth login if the server asks)",
        ),
        (ServerConfig(url=URL, oauth=OAuthConfig()), {}, None, "oauth", "not logged in"),
        (
            ServerConfig(url=URL, bearer_token_env_var="GH"),
            {"GH": "t"},
            None,
            "bearer",
            "token from env GH (set)",
        ),
        (ServerConfig(url=URL, bearer_token_env_var="GH"), {}, None, "bearer", "env GH unset"),
        (
            ServerConfig(url=URL),
            {},
            _record(3120),
            "oauth",
            "logged in, expires in 52m, scopes repo read",
        ),
        (
            ServerConfig(url=URL),
            {},
            _record(-5),
            "oauth",
            "expired, refreshed on next use, scopes repo read",
        ),
        (
            ServerConfig(url=URL),
            {},
            _record(-5, refresh=False),
            "oauth",
            "expired: run `baton login`, scopes repo read",
        ),
        (
            ServerConfig(url=URL),
            {},
            _record(None),
            "oauth",
            "logged in, no expiry given, scopes repo read",
        ),
    ],
)
def test_describe_auth(
    config: ServerConfig,
    environ: dict[str, str],
    record: TokenRecord | None,
    kind: str,
    state: str,
) -> None:
    summary = describe_auth(config, environ, record, now=NOW)
    assert (summary.kind, summary.state) == (kind, state)
    assert "secret" not in summary.state and "not logged in" not in (
        summary.state if kind == "bearer" else ""
    )
