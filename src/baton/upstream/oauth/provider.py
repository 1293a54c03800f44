"""Baton's OAuth 2.1 client: the SDK's `OAuthClientProvider` plus what the MCP authorization spec
(2025-11-25) asks and the SDK does not do.

Added here: an authorization server that does not advertise PKCE S256 in
`code_challenge_methods_supported` is refused; every URL the flow fetches passes the SSRF guards;
the `iss` of the authorization response is checked (RFC 9207); step-up on `insufficient_scope` is
capped; a refresh that returns no new refresh token keeps the old one; stored tokens keep their
expiry and discovered metadata across processes; a connection without a person present refreshes
but never starts an authorization (`NoRedirect`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator
from urllib.parse import urlsplit

import httpx
from mcp.client.auth import OAuthClientProvider, OAuthFlowError, OAuthRegistrationError
from mcp.client.auth.utils import extract_field_from_www_auth
from mcp.shared.auth import OAuthClientMetadata, OAuthToken
from pydantic import AnyUrl, ValidationError

from baton.auth.checks import issuer_refusal, pkce_refusal
from baton.auth.errors import AuthError
from baton.auth.ssrf import url_refusal
from baton.upstream.oauth.redirect import NoRedirect, Redirect
from baton.upstream.oauth.storage import RecordStorage

__all__ = ["STEP_UP_LIMIT", "BatonOAuth", "client_metadata"]

log = logging.getLogger("baton.auth")

# Re-authorizations for more scope per provider; a server that keeps answering insufficient_scope
# would otherwise send the user through consent forever.
STEP_UP_LIMIT = 2


def client_metadata(redirect_uri: str) -> OAuthClientMetadata:
    """What Baton registers as: a public native client with a loopback redirect."""
    return OAuthClientMetadata(
        client_name="Baton",
        redirect_uris=[AnyUrl(redirect_uri)],
        grant_types=["authorization_code", "refresh_token"],
        response_types=["code"],
        token_endpoint_auth_method="none",
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _is_step_up(response: httpx.Response) -> bool:
    return (
        response.status_code == 403
        and extract_field_from_www_auth(response, "error") == "insufficient_scope"
    )


class BatonOAuth(OAuthClientProvider):
    """OAuth for one server, as an `httpx.Auth`."""

    def __init__(
        self,
        server: str,
        server_url: str,
        storage: RecordStorage,
        redirect: Redirect,
        *,
        client_metadata_url: str | None = None,
    ) -> None:
        super().__init__(
            server_url,
            client_metadata(redirect.redirect_uri),
            storage,
            redirect_handler=redirect.open,
            callback_handler=redirect.wait,
            client_metadata_url=client_metadata_url,
        )
        self.server, self.redirect, self.storage = server, redirect, storage
        storage.discovered = lambda: (
            self.context.protected_resource_metadata,
            self.context.oauth_metadata,
        )
        self.step_ups = 0
        self.legacy_issuer: str | None = None
        self.iss_advertised = False  # RFC 9207 flag: the SDK's metadata model drops it

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """The SDK's flow, with every fetched URL guarded, the step-up cap, and errors mapped."""
        flow = super().async_auth_flow(request)
        try:
            outgoing = await flow.__anext__()
            while True:
                if outgoing is not request:
                    self._guard(outgoing)
                response = yield outgoing
                if outgoing is request and self._stop_at(response):
                    return
                await self._note_iss_flag(outgoing, response)
                response = await self._legacy_metadata(outgoing, response)
                outgoing = await flow.asend(response)
        except StopAsyncIteration:
            return
        except OAuthRegistrationError as exc:
            raise self._registration_error(exc) from exc
        except OAuthFlowError as exc:
            raise AuthError(self.server, f"OAuth failed: {exc}") from exc
        finally:
            await flow.aclose()

    def _registration_error(self, exc: OAuthRegistrationError) -> AuthError:
        if self.context.protected_resource_metadata or self.context.oauth_metadata:
            return AuthError(self.server, f"OAuth failed: {exc}")
        # Nothing was discovered and the 2025-03-26 default /register is missing too: the
        # server wants a credential, but not through OAuth.
        return AuthError(
            self.server,
            f"{self.context.server_url} answered HTTP 401 (unauthorized) and offers no OAuth "
            "(no protected-resource or authorization-server metadata, no /register)",
            hint="it needs a token: set bearer_token_env_var (or http_headers) for it",
        )

    def _stop_at(self, response: httpx.Response) -> bool:
        """Whether to hand `response` back instead of (re-)authorizing."""
        unauthorized = response.status_code == 401 or _is_step_up(response)
        if unauthorized and isinstance(self.redirect, NoRedirect):
            # Refresh, if due, happened before the request; nobody is here to consent, and
            # registering on every connection attempt would litter the authorization server.
            return True
        if _is_step_up(response):
            if self.step_ups >= STEP_UP_LIMIT:
                log.info(
                    "'%s': still insufficient_scope after %d step-ups", self.server, self.step_ups
                )
                return True
            self.step_ups += 1
        return False

    async def _note_iss_flag(self, request: httpx.Request, response: httpx.Response) -> None:
        path = request.url.path
        if response.status_code != 200 or not (
            "/.well-known/oauth-authorization-server" in path or "openid-configuration" in path
        ):
            return
        try:
            data = json.loads(await response.aread())
        except ValueError:
            return
        flag = isinstance(data, dict) and data.get("authorization_response_iss_parameter_supported")
        self.iss_advertised = flag is True

    async def _legacy_metadata(
        self, request: httpx.Request, response: httpx.Response
    ) -> httpx.Response:
        """2025-03-26 compatibility: with no protected-resource metadata the authorization server
        *is* the MCP server's origin, and servers of that era publish root metadata whose `issuer`
        may carry a path on that same origin. The SDK's RFC 8414 issuer check would refuse it; the
        origin is accepted as the issuer instead (nothing crosses origins)."""
        origin = _origin(self.context.server_url)
        if (
            self.context.auth_server_url is not None
            or response.status_code != 200
            or str(request.url) != origin + "/.well-known/oauth-authorization-server"
        ):
            return response
        try:
            data = json.loads(await response.aread())
            issuer = str(data["issuer"])
        except (ValueError, KeyError, TypeError):
            return response
        if issuer.rstrip("/") == origin or _origin(issuer) != origin:
            return response
        self.legacy_issuer = issuer
        return httpx.Response(200, json={**data, "issuer": origin}, request=request)

    def _guard(self, request: httpx.Request) -> None:
        if reason := url_refusal(str(request.url), server_url=self.context.server_url):
            raise AuthError(self.server, f"refusing to fetch a URL the server pointed to: {reason}")

    async def _initialize(self) -> None:
        """Load tokens, their expiry, the client and the metadata discovered last time."""
        record = self.storage.record()
        self.context.current_tokens = record.tokens
        self.context.token_expiry_time = record.expires_at
        self.context.client_info = await self.storage.get_client_info()
        if record.as_metadata is not None and self.context.oauth_metadata is None:
            self.context.oauth_metadata = record.as_metadata
        if (
            record.resource_metadata is not None
            and self.context.protected_resource_metadata is None
        ):
            self.context.protected_resource_metadata = record.resource_metadata
            servers = record.resource_metadata.authorization_servers
            self.context.auth_server_url = str(servers[0]) if servers else None
        self._initialized = True

    async def _perform_authorization(self) -> httpx.Request:
        """PKCE support verified first; the response's `iss` checked before the code is used."""
        if reason := pkce_refusal(self.context.oauth_metadata):
            raise AuthError(
                self.server,
                f"refusing to authorize: {reason}",
                hint="MCP requires PKCE (S256); ask the server's operator to advertise it",
            )
        code, verifier = await self._perform_authorization_code_grant()
        metadata = self.context.oauth_metadata
        expected = self.legacy_issuer or (str(metadata.issuer) if metadata else None)
        response = self.redirect.response
        if response is not None and (
            reason := issuer_refusal(response, expected, advertised=self.iss_advertised)
        ):
            raise AuthError(self.server, f"refusing the authorization response: {reason}")
        return await self._exchange_token_authorization_code(code, verifier)

    async def _handle_refresh_response(self, response: httpx.Response) -> bool:
        """Store the refreshed token; keep the old refresh token when none was rotated in."""
        if response.status_code != 200:
            log.info("'%s': token refresh failed: HTTP %d", self.server, response.status_code)
            self.context.clear_tokens()
            return False
        try:
            token = OAuthToken.model_validate_json(await response.aread())
        except ValidationError:
            log.info("'%s': token refresh answered an invalid token response", self.server)
            self.context.clear_tokens()
            return False
        previous = self.context.current_tokens
        if token.refresh_token is None and previous is not None:
            token = token.model_copy(update={"refresh_token": previous.refresh_token})
        self.context.current_tokens = token
        self.context.update_token_expiry(token)
        await self.storage.set_tokens(token)
        log.info("'%s': access token refreshed", self.server)
        return True
