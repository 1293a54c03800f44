"""OAuth 2.1 for upstream `url` servers (MCP authorization 2025-11-25, with the 2025-03-26
fallbacks): the provider, how consent arrives, and where the SDK's storage meets Baton's store.

`upstream_auth` decides whether a server gets OAuth at all: any `url` server that does not already
send its own `Authorization` (a bearer token or a header) does; it costs nothing until the server
answers 401.
"""

from __future__ import annotations

from collections.abc import Mapping

from mcp.shared.auth import OAuthClientInformationFull
from pydantic import AnyUrl

from baton.auth.store import TokenRecord, TokenStore, default_store
from baton.config.schema import OAuthConfig, ServerConfig
from baton.errors import UpstreamConfigError
from baton.upstream.oauth.provider import STEP_UP_LIMIT, BatonOAuth
from baton.upstream.oauth.redirect import HeadlessRedirect, LoopbackRedirect, NoRedirect, Redirect
from baton.upstream.oauth.storage import RecordStorage

__all__ = [
    "STEP_UP_LIMIT",
    "BatonOAuth",
    "HeadlessRedirect",
    "LoopbackRedirect",
    "NoRedirect",
    "Redirect",
    "build_oauth",
    "sends_own_authorization",
    "stored_login",
    "upstream_auth",
]


def sends_own_authorization(config: ServerConfig) -> bool:
    """Whether the server's entry already authorizes (bearer token or an Authorization header)."""
    names = {name.lower() for name in [*config.http_headers, *config.env_http_headers]}
    return bool(config.bearer_token_env_var) or "authorization" in names


def stored_login(
    server: str, config: ServerConfig, store: TokenStore | None = None
) -> TokenRecord | None:
    """The OAuth login kept for `server` (default: in `default_store()`); None for an entry OAuth
    does not apply to: a stdio server, or a `url` server that sends its own Authorization."""
    if config.url is None or sends_own_authorization(config):
        return None
    return (store if store is not None else default_store()).load(server)


def _preregistered(
    server: str, oauth: OAuthConfig, redirect_uri: str, environ: Mapping[str, str]
) -> OAuthClientInformationFull | None:
    if oauth.client_id is None:
        return None
    secret = None
    if oauth.client_secret_env_var:
        secret = environ.get(oauth.client_secret_env_var)
        if not secret:
            raise UpstreamConfigError(
                server,
                f"environment variable {oauth.client_secret_env_var} "
                "(named by `oauth.client_secret_env_var`) is not set",
            )
    return OAuthClientInformationFull(
        client_id=oauth.client_id,
        client_secret=secret,
        token_endpoint_auth_method=oauth.token_endpoint_auth_method if secret else "none",
        redirect_uris=[AnyUrl(redirect_uri)],
    )


def build_oauth(
    server: str,
    url: str,
    oauth: OAuthConfig | None,
    environ: Mapping[str, str],
    *,
    redirect: Redirect,
    store: TokenStore,
) -> BatonOAuth:
    """The OAuth provider for `server` at `url`, its record kept in `store` under the name."""
    oauth = oauth or OAuthConfig()
    preregistered = _preregistered(server, oauth, redirect.redirect_uri, environ)
    storage = RecordStorage(store, server, preregistered=preregistered)
    # Scopes are not configured: the spec's selection (challenge, then metadata) decides them.
    return BatonOAuth(server, url, storage, redirect, client_metadata_url=oauth.client_metadata_url)


def upstream_auth(
    server: str, url: str, config: ServerConfig, environ: Mapping[str, str]
) -> BatonOAuth | None:
    """OAuth for a connection made without a person present, or None if the entry authorizes."""
    if sends_own_authorization(config):
        return None
    redirect = NoRedirect(server, url)
    return build_oauth(server, url, config.oauth, environ, redirect=redirect, store=default_store())
