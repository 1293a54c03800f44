"""`baton serve --transport http` with inbound authorization: a bearer token, or an OAuth resource
server (introspection or JWTs), and no public bind without either. Clients are real: `baton probe`
and plain HTTP requests."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from baton.gateway.http import bind_refusal
from baton.gateway.inbound_auth import Inbound, StaticTokenVerifier
from tests.auth._support import assert_no_token, baton, issued_tokens, oauth_server, stats
from tests.upstream._support import StartServer, free_port

pytestmark = pytest.mark.anyio

SERVE_TOKEN = "gateway-token-0123456789abcdef"
ACCEPT = "application/json, text/event-stream"


def _serve(config: Path, *flags: str) -> list[str]:
    """`baton serve` over HTTP, logging at INFO so the leak checks have something to read."""
    return [
        *(sys.executable, "-m", "baton", "serve", "--transport", "http", "-v"),
        *("--port", "{port}", "-c", str(config), *flags),
    ]


def _server_logs(tmp_path: Path) -> list[str]:
    """What every server started by `http_server` wrote to stderr (the gateway included)."""
    return [path.read_text() for path in tmp_path.glob("server-*.log")]


def _config(tmp_path: Path, text: str = "") -> Path:
    path = tmp_path / "baton.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("host", "with_auth", "refused"),
    [
        ("127.0.0.1", False, False),
        ("localhost", False, False),
        ("::1", False, False),
        ("0.0.0.0", False, True),
        ("192.168.1.7", False, True),
        ("0.0.0.0", True, False),
    ],
)
def test_only_loopback_may_be_bound_without_authorization(
    host: str, with_auth: bool, refused: bool
) -> None:
    inbound = Inbound(StaticTokenVerifier("x"), "bearer") if with_auth else None
    assert (bind_refusal(host, inbound) is not None) == refused


def test_serve_refuses_a_public_bind_without_authorization(tmp_path: Path) -> None:
    port = free_port()
    args = ["serve", "--transport", "http", "--host", "0.0.0.0", "--port", str(port)]
    ran = baton(*args, "-c", str(_config(tmp_path)), outputs=[])
    assert ran.code == 2
    assert "refusing to serve on 0.0.0.0 without authorization" in ran.stderr


async def test_a_bearer_token_is_required_when_configured(
    http_server: StartServer, tmp_path: Path
) -> None:
    config = _config(tmp_path, '[serve.auth]\nbearer_token_env_var = "BATON_SERVE_TOKEN"\n')
    url = await http_server(_serve(config), "/mcp", env={"BATON_SERVE_TOKEN": SERVE_TOKEN})
    outputs: list[str] = []
    refused = baton("probe", url, outputs=outputs)
    assert refused.code == 1 and "401" in refused.stderr
    wrong = baton("probe", url, "-H", "Authorization: Bearer nope", outputs=outputs)
    assert wrong.code == 1
    ran = baton(
        *("probe", url, "--bearer-env", "T", "--json"), env={"T": SERVE_TOKEN}, outputs=outputs
    )
    assert ran.code == 0, ran.stderr
    assert ran.json()["server_name"] == "baton" and ran.json()["auth"] == "bearer"
    assert_no_token([SERVE_TOKEN], outputs + _server_logs(tmp_path))


async def test_as_an_oauth_resource_server_baton_logs_baton_in(
    http_server: StartServer, tmp_path: Path
) -> None:
    upstream_url = await oauth_server(http_server)
    issuer = upstream_url.removesuffix("/mcp")
    flags = ["--auth-issuer", issuer, "--auth-resource", "http://127.0.0.1:{port}/mcp"]
    flags += ["--auth-introspection-url", f"{issuer}/introspect"]
    resource = await http_server(_serve(_config(tmp_path), *flags), "/mcp")

    metadata = httpx.get(resource.replace("/mcp", "/.well-known/oauth-protected-resource/mcp"))
    assert metadata.json()["resource"] == resource
    assert [url.rstrip("/") for url in metadata.json()["authorization_servers"]] == [issuer]
    challenge = httpx.post(resource, json={}).headers["www-authenticate"]
    assert "resource_metadata=" in challenge

    outputs: list[str] = []
    ran = baton("probe", resource, "--headless", "--json", outputs=outputs)
    assert ran.code == 0, ran.stderr
    assert ran.json()["auth"] == "oauth" and ran.json()["server_name"] == "baton"

    # A token the same server issued for another resource (its own /mcp) is not for Baton.
    other = baton("probe", upstream_url, "--headless", outputs=outputs)
    assert other.code == 0 and stats(upstream_url)["authorization_code"] == 2
    foreign = issued_tokens(upstream_url)[-2]
    headers = {
        "Authorization": f"Bearer {foreign}",
        "Accept": ACCEPT,
    }
    assert httpx.post(resource, json={}, headers=headers).status_code == 401
    assert_no_token(issued_tokens(upstream_url), outputs + _server_logs(tmp_path))


async def _mint(issuer: str, **claims: str) -> str:
    async with httpx.AsyncClient() as client:
        return (await client.get(f"{issuer}/debug/mint", params=claims)).text


async def test_as_an_oauth_resource_server_baton_validates_jwts(
    http_server: StartServer, tmp_path: Path
) -> None:
    issuer = (await http_server([sys.executable, "jwt_issuer.py", "--port", "{port}"], "/")).rstrip(
        "/"
    )
    config = _config(tmp_path, '[serve.auth]\nrequired_scopes = ["mcp:use"]\n')
    flags = ["--auth-issuer", issuer, "--auth-resource", "http://127.0.0.1:{port}/mcp"]
    resource = await http_server(_serve(config, *flags), "/mcp")  # JWKS found via the issuer

    async def status(token: str) -> int:
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": ACCEPT,
        }
        body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        async with httpx.AsyncClient() as client:
            return (await client.post(resource, json=body, headers=headers)).status_code

    async def minted(**claims: str) -> int:
        return await status(await _mint(issuer, **{"aud": resource, "scope": "mcp:use", **claims}))

    good = await _mint(issuer, aud=resource, scope="mcp:use")
    assert await status(good) not in (401, 403)
    assert await minted(aud="https://elsewhere.example/mcp") == 401
    assert await minted(ttl="-60") == 401  # expired
    assert await minted(iss="https://evil.example") == 401
    assert await minted(scope="other") == 403  # valid, but without the required scope
    assert await status(good[:-4] + "AAAA") == 401  # a forged signature

    outputs: list[str] = []
    ran = baton("probe", resource, "--bearer-env", "T", env={"T": good}, outputs=outputs)
    assert ran.code == 0, ran.stderr
    assert_no_token([good], outputs + _server_logs(tmp_path))
