"""The OAuth client against a real local authorization server: refresh with rotation, PKCE
refusal, SSRF guards on discovered URLs."""

from __future__ import annotations

import time
from pathlib import Path

import anyio
import pytest

from baton.auth.store import FileStore, token_dir
from baton.config.schema import ServerConfig
from baton.errors import UpstreamError
from baton.upstream import UpstreamPool
from tests.auth._support import assert_no_token, baton, issued_tokens, oauth_server, stats
from tests.auth._support import write_config as _write
from tests.upstream._support import StartServer, text_of

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


def _login(tmp_path: Path, url: str, outputs: list[str]) -> None:
    config = _write(tmp_path, f'[servers.secured]\nurl = "{url}"\n')
    ran = baton("login", "secured", "--headless", "-c", str(config), outputs=outputs)
    assert ran.code == 0, ran.stderr


async def _echo(url: str) -> str:
    async with UpstreamPool({"secured": ServerConfig(url=url)}) as pool:
        with anyio.fail_after(30):
            return text_of(await pool["secured"].call_tool("echo", {"message": "again"}))


async def test_an_expired_token_is_refreshed_and_the_rotated_one_kept(
    http_server: StartServer, tmp_path: Path
) -> None:
    url = await oauth_server(http_server)
    outputs: list[str] = []
    _login(tmp_path, url, outputs)
    store = FileStore(token_dir())
    first = store.load("secured")
    assert first is not None and first.tokens is not None
    store.save(
        "secured", first.model_copy(update={"expires_at": time.time() - 1})
    )  # as if hours passed

    assert await _echo(url) == "again"
    assert stats(url)["refresh_token"] == 1
    second = store.load("secured")
    assert second is not None and second.tokens is not None and not second.expired
    assert second.tokens.refresh_token != first.tokens.refresh_token  # rotated, and kept

    store.save("secured", second.model_copy(update={"expires_at": time.time() - 1}))
    assert await _echo(url) == "again"  # so the rotated refresh token is used, and works
    assert stats(url)["refresh_token"] == 2 and stats(url)["authorization_code"] == 1
    assert_no_token(issued_tokens(url), outputs)


async def test_an_authorization_server_without_pkce_metadata_is_refused(
    http_server: StartServer, tmp_path: Path
) -> None:
    url = await oauth_server(http_server, env={"NO_PKCE_METADATA": "1"})
    config = _write(tmp_path, f'[servers.nopkce]\nurl = "{url}"\n')
    ran = baton("login", "nopkce", "--headless", "-c", str(config), outputs=[])
    assert ran.code != 0
    assert "code_challenge_methods_supported" in ran.stderr and "PKCE" in ran.stderr
    assert stats(url)["authorize"] == 0 and stats(url)["issued"] == []


@pytest.mark.parametrize(
    ("advertised", "reason"),
    [
        ("https://10.1.2.3/", "private address range"),
        ("https://169.254.169.254/", "private address range"),
        ("http://auth.example.com/", "plain http"),
        ("https://[fd00::1]/", "private address range"),
    ],
)
async def test_a_discovered_authorization_server_url_must_pass_the_ssrf_guards(
    http_server: StartServer, advertised: str, reason: str
) -> None:
    url = await oauth_server(http_server, env={"ADVERTISED_AS": advertised})
    ran = baton("probe", url, "--headless", outputs=[])
    assert ran.code != 0
    assert reason in ran.stderr, ran.stderr
    assert stats(url)["authorize"] == 0


async def test_a_gateway_connection_without_login_reports_how_to_log_in(
    http_server: StartServer,
) -> None:
    url = await oauth_server(http_server)
    async with UpstreamPool({"secured": ServerConfig(url=url)}) as pool:
        with anyio.fail_after(30), pytest.raises(UpstreamError) as failed:
            await pool["secured"].start()
    assert "401" in failed.value.message
    assert "baton login secured" in (failed.value.hint or "")
    assert stats(url)["register"] == 0  # nobody was there to consent: nothing was registered


async def test_a_refresh_the_server_refuses_ends_in_how_to_log_in_again(
    http_server: StartServer, tmp_path: Path
) -> None:
    url = await oauth_server(http_server)
    _login(tmp_path, url, [])
    store = FileStore(token_dir())
    record = store.load("secured")
    assert record is not None and record.tokens is not None
    revoked = record.tokens.model_copy(update={"refresh_token": "rt-revoked"})
    store.save("secured", record.model_copy(update={"tokens": revoked, "expires_at": 1.0}))
    async with UpstreamPool({"secured": ServerConfig(url=url)}) as pool:
        with anyio.fail_after(30), pytest.raises(UpstreamError) as failed:
            await pool["secured"].start()
    assert "401" in failed.value.message and "baton login secured" in (failed.value.hint or "")
    assert stats(url)["authorize"] == 1  # only the login's: the gateway never starts one
