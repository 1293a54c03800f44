"""`baton login NAME` as a service: run the OAuth flow against a configured server now, with a
person present (browser + loopback redirect) or headless, and keep the result in the token store.

Login connects exactly the way the gateway will afterwards (same transport detection, same URL,
same store key), so a login that succeeds is one the next start-up can use: seed 003's login that
"succeeded" and then failed at start-up on a legacy HTTP+SSE server cannot happen here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx
from mcp.shared._httpx_utils import create_mcp_http_client
from pydantic import BaseModel

from baton.auth.errors import AuthError
from baton.auth.store import TokenStore
from baton.config.schema import ServerConfig
from baton.errors import UpstreamError, UpstreamStartError
from baton.upstream.auth import expand_value, resolve_headers
from baton.upstream.detect import detect_transport
from baton.upstream.errors import HttpStatus, http_status_error
from baton.upstream.oauth import build_oauth, sends_own_authorization
from baton.upstream.oauth.redirect import HeadlessRedirect, LoopbackRedirect, Redirect
from baton.upstream.streamable_http import http_timeout

__all__ = ["LoginResult", "login", "logout"]


class LoginResult(BaseModel):
    """What `baton login` reports (never a token)."""

    server: str
    logged_in: bool
    transport: str
    scopes: str | None = None
    expires_at: float | None = None
    store: str
    note: str | None = None


def _url(server: str, config: ServerConfig, environ: Mapping[str, str]) -> str:
    if config.url is None:
        raise AuthError(server, "is a local stdio server: it has no login")
    if sends_own_authorization(config):
        raise AuthError(
            server,
            "authorizes with a bearer token or an Authorization header from its config, not OAuth",
            hint="nothing to log in to; `baton auth status` shows where its token comes from",
        )
    return expand_value(server, config.url, environ, key="url")


async def login(
    server: str,
    config: ServerConfig,
    environ: Mapping[str, str],
    store: TokenStore,
    *,
    headless: bool = False,
    tell: Callable[[str], None] = print,
) -> LoginResult:
    """Authorize Baton for `server` and store the tokens; errors as `UpstreamError`s."""
    url = _url(server, config, environ)
    # A fresh start: old tokens would skip the flow, and a client registered with another
    # loopback port would not match this login's redirect URI.
    store.delete(server)
    if headless:
        return await _run(server, config, url, environ, store, HeadlessRedirect(server, url))
    async with LoopbackRedirect(server, url, tell=tell) as redirect:
        return await _run(server, config, url, environ, store, redirect)


async def _run(
    server: str,
    config: ServerConfig,
    url: str,
    environ: Mapping[str, str],
    store: TokenStore,
    redirect: Redirect,
) -> LoginResult:
    auth = build_oauth(server, url, config.oauth, environ, redirect=redirect, store=store)
    headers = resolve_headers(server, config, environ)
    timeout = http_timeout(config.tool_timeout_sec)
    try:
        async with create_mcp_http_client(headers=headers, timeout=timeout, auth=auth) as client:
            transport = await detect_transport(server, url, client, shown_url=str(config.url))
    except UpstreamError:
        raise
    except HttpStatus as exc:
        raise http_status_error(server, config, exc.status, None) from exc
    except httpx.HTTPError as exc:
        raise UpstreamStartError(
            server, f"cannot reach {config.url}: {type(exc).__name__}"
        ) from exc
    tokens = auth.context.current_tokens
    return LoginResult(
        server=server,
        logged_in=tokens is not None,
        transport=transport,
        scopes=tokens.scope if tokens else None,
        expires_at=auth.context.token_expiry_time if tokens else None,
        store=store.where,
        note=None if tokens else "the server did not ask for authorization",
    )


def logout(server: str, store: TokenStore) -> bool:
    """Forget `server`'s tokens and client registration; True if anything was stored."""
    return store.delete(server)
