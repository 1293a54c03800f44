"""Who may use `baton serve --transport http`: the token verifiers behind the SDK's bearer-auth
middleware, built from `[serve.auth]`.

* `StaticTokenVerifier` — one bearer token from the environment (compared in constant time).
* `JwtVerifier` — OAuth resource-server mode: a JWT signed by a key of the issuer's JWKS, with
  `iss` = the issuer, `aud` = this gateway's resource URL, and not expired.
* `IntrospectionVerifier` — OAuth resource-server mode with opaque tokens: RFC 7662.

Verifiers return None for any token they do not accept and never log or echo a token.
"""

from __future__ import annotations

import hmac
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
import jwt
from mcp.server.auth.provider import AccessToken, TokenVerifier

from baton.config.schema import ServeAuthConfig
from baton.errors import UsageError

__all__ = [
    "Inbound",
    "IntrospectionVerifier",
    "JwtVerifier",
    "StaticTokenVerifier",
    "inbound_auth",
]

log = logging.getLogger("baton.gateway.auth")

# Fetching the issuer's metadata or keys, and each introspection call.
AUTH_SERVER_TIMEOUT_SEC = 10.0


@dataclass(frozen=True)
class Inbound:
    """Resolved inbound authorization: the verifier, and for OAuth what the metadata says."""

    verifier: TokenVerifier
    kind: str  # "bearer" | "oauth"
    resource: str | None = None
    issuer: str | None = None
    required_scopes: list[str] = field(default_factory=list)


class StaticTokenVerifier:
    """Accepts exactly one token."""

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    async def verify_token(self, token: str) -> AccessToken | None:
        if not hmac.compare_digest(token.encode(), self._token):
            return None
        return AccessToken(token=token, client_id="bearer", scopes=[])


def _scopes(claims: Mapping[str, Any]) -> list[str]:
    scope = claims.get("scope", claims.get("scp", []))
    return scope.split() if isinstance(scope, str) else [str(item) for item in scope]


def _access(token: str, claims: Mapping[str, Any], audience: str) -> AccessToken:
    client = claims.get("client_id") or claims.get("azp") or claims.get("sub") or "unknown"
    exp = claims.get("exp")
    return AccessToken(
        token=token,
        client_id=str(client),
        scopes=_scopes(claims),
        expires_at=int(exp) if isinstance(exp, int | float) else None,
        resource=audience,
        subject=str(claims["sub"]) if "sub" in claims else None,
        claims={"iss": claims.get("iss")},
    )


class JwtVerifier:
    """JWTs signed by the issuer's keys (JWKS), for this gateway's audience."""

    def __init__(self, issuer: str, audience: str, jwks_url: str) -> None:
        self.issuer, self.audience = issuer, audience
        self._keys = jwt.PyJWKClient(
            jwks_url, cache_keys=True, timeout=int(AUTH_SERVER_TIMEOUT_SEC)
        )

    def _decode(self, token: str) -> dict[str, Any]:
        key = self._keys.get_signing_key_from_jwt(token)
        return jwt.decode(
            token,
            key.key,
            algorithms=["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"],
            audience=self.audience,
            issuer=self.issuer,
            options={"require": ["exp", "iss", "aud"]},
        )

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            claims = await anyio.to_thread.run_sync(self._decode, token)
        except jwt.PyJWTError as exc:
            log.info("rejected a bearer token: %s", type(exc).__name__)
            return None
        return _access(token, claims, self.audience)


class IntrospectionVerifier:
    """Opaque tokens checked with the authorization server (RFC 7662)."""

    def __init__(
        self, url: str, issuer: str, audience: str, client: tuple[str, str] | None
    ) -> None:
        self.url, self.issuer, self.audience, self._client = url, issuer, audience, client

    async def verify_token(self, token: str) -> AccessToken | None:
        auth = httpx.BasicAuth(*self._client) if self._client else None
        async with httpx.AsyncClient(timeout=AUTH_SERVER_TIMEOUT_SEC, auth=auth) as client:
            try:
                response = await client.post(self.url, data={"token": token})
            except httpx.HTTPError as exc:
                log.warning("token introspection failed: %s", type(exc).__name__)
                return None
        claims = response.json() if response.status_code == 200 else {}
        if not isinstance(claims, dict) or claims.get("active") is not True:
            return None
        audiences = claims.get("aud", [])
        audiences = [audiences] if isinstance(audiences, str) else audiences
        if self.audience.rstrip("/") not in [str(aud).rstrip("/") for aud in audiences]:
            log.info("rejected a bearer token issued for another audience")
            return None
        if (
            claims.get("iss", self.issuer).rstrip("/") != self.issuer.rstrip("/")
            or float(claims.get("exp", math.inf)) < time.time()
        ):
            return None
        return _access(token, claims, self.audience)


async def _jwks_url(issuer: str) -> str:
    """The issuer's `jwks_uri`, from its RFC 8414 or OpenID metadata."""
    base = issuer.rstrip("/")
    candidates = [
        f"{base}/.well-known/oauth-authorization-server",
        f"{base}/.well-known/openid-configuration",
    ]
    async with httpx.AsyncClient(timeout=AUTH_SERVER_TIMEOUT_SEC) as client:
        for url in candidates:
            try:
                response = await client.get(url)
            except httpx.HTTPError:
                continue
            if response.status_code == 200 and (jwks := response.json().get("jwks_uri")):
                return str(jwks)
    raise UsageError(
        f"cannot find the JWKS of issuer {issuer}",
        hint="set [serve.auth] jwks_url or introspection_url",
    )


def _secret(variable: str | None, environ: Mapping[str, str], key: str) -> str | None:
    if variable is None:
        return None
    value = environ.get(variable)
    if not value:
        raise UsageError(f"environment variable {variable} (named by `{key}`) is not set")
    return value


async def inbound_auth(auth: ServeAuthConfig, environ: Mapping[str, str]) -> Inbound | None:
    """The verifier `auth` asks for (fetching the issuer's metadata if needed), or None."""
    if auth.bearer_token_env_var:
        token = _secret(auth.bearer_token_env_var, environ, "serve.auth.bearer_token_env_var")
        assert token is not None
        return Inbound(StaticTokenVerifier(token), "bearer")
    if auth.issuer is None:
        return None
    assert auth.resource is not None  # the schema requires it with `issuer`
    verifier: TokenVerifier
    if auth.introspection_url:
        secret = _secret(
            auth.introspection_client_secret_env_var,
            environ,
            "serve.auth.introspection_client_secret_env_var",
        )
        client_id = auth.introspection_client_id
        client = (client_id, secret or "") if client_id else None
        verifier = IntrospectionVerifier(auth.introspection_url, auth.issuer, auth.resource, client)
    else:
        jwks = auth.jwks_url or await _jwks_url(auth.issuer)
        verifier = JwtVerifier(auth.issuer, auth.resource, jwks)
    return Inbound(verifier, "oauth", auth.resource, auth.issuer, list(auth.required_scopes))
