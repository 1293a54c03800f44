"""Pure checks of authorization-server metadata and authorization responses (OAuth 2.1 / MCP).

Each returns a reason to refuse, or None: the flow turns a reason into an `AuthError`.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from mcp.shared.auth import OAuthMetadata

__all__ = [
    "AuthorizationResponse",
    "issuer_refusal",
    "parse_authorization_response",
    "pkce_refusal",
]


def pkce_refusal(metadata: OAuthMetadata | None) -> str | None:
    """MCP 2025-11-25: refuse an authorization server that does not advertise PKCE S256.

    With no metadata at all (the 2025-03-26 default-endpoint fallback) there is nothing to check.
    """
    if metadata is None:
        return None
    methods = metadata.code_challenge_methods_supported
    if methods is None:
        return (
            f"authorization server {metadata.issuer} does not advertise "
            "code_challenge_methods_supported, so PKCE support cannot be verified"
        )
    if "S256" not in methods:
        return f"authorization server {metadata.issuer} does not support PKCE S256"
    return None


class AuthorizationResponse:
    """The parameters of the redirect back from the authorization endpoint."""

    def __init__(self, code: str | None, state: str | None, iss: str | None, error: str | None):
        self.code, self.state, self.iss, self.error = code, state, iss, error


def parse_authorization_response(url: str) -> AuthorizationResponse:
    """Read `code`, `state`, `iss` and `error` from a redirect URL's query."""
    query = parse_qs(urlsplit(url).query)

    def one(name: str) -> str | None:
        values = query.get(name)
        return values[0] if values else None

    return AuthorizationResponse(one("code"), one("state"), one("iss"), one("error"))


def issuer_refusal(
    response: AuthorizationResponse, expected: str | None, *, advertised: bool
) -> str | None:
    """RFC 9207: an `iss` in the response must name the authorization server asked (`expected`;
    None when no metadata was found); it is required when the metadata `advertised` it."""
    if expected is None:
        return None
    if response.iss is None:
        return "the authorization response lacks `iss`" if advertised else None
    if response.iss.rstrip("/") != expected.rstrip("/"):
        return f"the authorization response came from issuer {response.iss}, expected {expected}"
    return None
