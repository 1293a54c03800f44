"""The pure authorization checks: SSRF guards, PKCE support, the authorization response."""

from __future__ import annotations

import pytest
from mcp.shared.auth import OAuthMetadata

from baton.auth.checks import (
    issuer_refusal,
    parse_authorization_response,
    pkce_refusal,
)
from baton.auth.ssrf import browser_url_refusal, url_refusal

REMOTE = "https://mcp.example.com/mcp"
LOCAL = "http://127.0.0.1:8000/mcp"
LAN = "https://10.0.0.5/mcp"


@pytest.mark.parametrize(
    ("url", "server", "refused"),
    [
        ("https://auth.example.com/.well-known/x", REMOTE, None),
        ("http://auth.example.com/token", REMOTE, "plain http"),
        ("http://127.0.0.1:9000/token", LOCAL, None),
        ("http://localhost:9000/token", LOCAL, None),
        ("http://127.0.0.1:9000/token", REMOTE, "loopback"),
        ("https://localhost/token", REMOTE, "loopback"),
        ("https://10.0.0.5/token", REMOTE, "private address range"),
        ("https://10.0.0.5/token", LAN, None),  # the server itself lives there
        ("https://10.0.0.6/token", LAN, "private address range"),
        ("https://169.254.169.254/latest/meta-data", REMOTE, "private address range"),
        ("https://[::ffff:192.168.0.1]/", REMOTE, "private address range"),
        ("https://[fe80::1]/", REMOTE, "private address range"),
        ("https://0.0.0.0/", REMOTE, "private address range"),
        ("file:///etc/passwd", REMOTE, "not an http(s) URL"),
        ("javascript:alert(1)", REMOTE, "not an http(s) URL"),
        ("https://user:pw@auth.example.com/", REMOTE, "credentials in the URL"),
    ],
)
def test_url_refusal(url: str, server: str, refused: str | None) -> None:
    reason = url_refusal(url, server_url=server)
    assert (reason is None) == (refused is None), reason
    if refused is not None:
        assert reason is not None and refused in reason


def test_a_refusal_never_repeats_the_query_string() -> None:
    reason = url_refusal("http://auth.example.com/cb?code=secret-code&token=t0k", server_url=REMOTE)
    assert reason is not None and "secret-code" not in reason and "t0k" not in reason


@pytest.mark.parametrize(
    ("url", "allowed"),
    [("https://a.example/authorize?x=1", True), ("http://127.0.0.1/a", True), ("file:///x", False)],
)
def test_only_http_urls_are_opened_in_a_browser(url: str, allowed: bool) -> None:
    assert (browser_url_refusal(url) is None) == allowed


def _metadata(**extra: object) -> OAuthMetadata:
    return OAuthMetadata.model_validate(
        {
            "issuer": "https://auth.example.com",
            "authorization_endpoint": "https://auth.example.com/authorize",
            "token_endpoint": "https://auth.example.com/token",
            **extra,
        }
    )


@pytest.mark.parametrize(
    ("methods", "refused"),
    [
        (["S256"], None),
        (["plain", "S256"], None),
        (None, "code_challenge_methods_supported"),
        (["plain"], "S256"),
    ],
)
def test_pkce_support_must_be_advertised(methods: list[str] | None, refused: str | None) -> None:
    extra = {} if methods is None else {"code_challenge_methods_supported": methods}
    reason = pkce_refusal(_metadata(**extra))
    assert (reason is None) == (refused is None)
    if refused is not None:
        assert reason is not None and refused in reason


def test_no_metadata_at_all_is_the_2025_03_26_fallback_and_not_refused() -> None:
    assert pkce_refusal(None) is None


@pytest.mark.parametrize(
    ("query", "advertised", "refused"),
    [
        ("code=c&state=s", False, None),
        ("code=c&state=s", True, "lacks `iss`"),
        ("code=c&state=s&iss=https%3A%2F%2Fauth.example.com", True, None),
        ("code=c&state=s&iss=https%3A%2F%2Fevil.example.com", False, "evil.example.com"),
    ],
)
def test_the_authorization_response_issuer(
    query: str, advertised: bool, refused: str | None
) -> None:
    response = parse_authorization_response(f"http://127.0.0.1:5/callback?{query}")
    assert response.code == "c" and response.state == "s"
    reason = issuer_refusal(response, "https://auth.example.com", advertised=advertised)
    assert (reason is None) == (refused is None), reason
    if refused is not None:
        assert reason is not None and refused in reason
