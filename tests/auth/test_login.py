"""`baton login|logout NAME`, `baton auth status`, and the gateway using what login stored."""

from __future__ import annotations

import logging
import stat
import sys
from pathlib import Path

import anyio
import pytest

from baton.config.schema import ServerConfig
from baton.upstream import UpstreamPool
from tests.auth._support import assert_no_token, baton, issued_tokens, oauth_server, write_config
from tests.conftest import REPO
from tests.upstream._support import StartServer, text_of

FIXTURES = REPO / "tests" / "fixtures"

pytestmark = pytest.mark.anyio

NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's keyring (if any) stays untouched: tokens go to 0600 files."""
    for name, value in NO_KEYRING.items():
        monkeypatch.setenv(name, value)


def _config(tmp_path: Path, url: str, sse_url: str) -> Path:
    return write_config(
        tmp_path,
        f'[servers.secured]\nurl = "{url}"\n\n[servers.old]\nurl = "{sse_url}"\n\n'
        '[servers.gh]\nurl = "https://example.invalid/mcp"\nbearer_token_env_var = "GH_TOKEN"\n',
    )


async def test_login_then_the_gateway_connects_with_the_stored_token(
    http_server: StartServer, tmp_path: Path, isolated_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = await oauth_server(http_server)
    sse_url = url.removesuffix("/mcp") + "/sse"
    config, outputs = _config(tmp_path, url, sse_url), []
    for name in ("secured", "old"):
        ran = baton("login", name, "--headless", "-c", str(config), outputs=outputs)
        assert ran.code == 0, ran.stderr
        assert "logged in" in ran.stdout
    tokens_dir = isolated_home / ".config" / "baton" / "tokens"
    files = list(tokens_dir.iterdir())
    assert len(files) == 2
    assert stat.S_IMODE(tokens_dir.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files)

    caplog.set_level(logging.DEBUG)
    servers = {"secured": ServerConfig(url=url), "old": ServerConfig(url=sse_url)}
    async with UpstreamPool(servers) as pool:
        with anyio.fail_after(30):
            modern = await pool["secured"].call_tool("echo", {"message": "with oauth"})
            legacy = await pool["old"].call_tool("echo", {"message": "sse with oauth"})
        assert pool["old"].transport == "sse"
    assert text_of(modern) == "with oauth" and text_of(legacy) == "sse with oauth"

    status = baton("auth", "status", "--json", "-c", str(config), outputs=outputs).json()
    assert isinstance(status, list)
    by_name = {row["server"]: row for row in status}
    assert by_name["secured"]["kind"] == "oauth"
    assert by_name["secured"]["state"].startswith("logged in") and by_name["secured"]["scopes"]
    assert by_name["gh"]["kind"] == "bearer" and "GH_TOKEN" in by_name["gh"]["state"]
    assert "not logged in" not in by_name["gh"]["state"]
    doctor = baton("servers", "doctor", "--json", "-c", str(config), outputs=outputs)
    doctor_rows = {row["server"]: row for row in doctor.json()}
    assert doctor_rows["secured"]["ok"] and doctor_rows["secured"]["auth"]["kind"] == "oauth"

    outputs.append(caplog.text)
    outputs.extend(path.name for path in files)
    assert_no_token(issued_tokens(url), outputs)


async def test_logout_forgets_and_the_gateway_says_to_log_in(
    http_server: StartServer, tmp_path: Path
) -> None:
    url = await oauth_server(http_server)
    config, outputs = _config(tmp_path, url, url), []
    assert baton("login", "secured", "--headless", "-c", str(config), outputs=outputs).code == 0
    ran = baton("logout", "secured", "-c", str(config), outputs=outputs)
    assert ran.code == 0 and "logged out" in ran.stdout
    doctor = baton("servers", "doctor", "secured", "--json", "-c", str(config), outputs=outputs)
    assert doctor.code == 1
    [row] = doctor.json()
    assert row["auth"] == {"kind": "oauth", "state": "not logged in: run `baton login secured`"}
    assert "baton login secured" in row["hint"]


async def test_a_bearer_server_has_nothing_to_log_in_to(tmp_path: Path) -> None:
    config = _config(tmp_path, "http://127.0.0.1:9/mcp", "http://127.0.0.1:9/sse")
    ran = baton("login", "gh", "-c", str(config), outputs=[])
    assert ran.code != 0
    assert "bearer token" in ran.stderr and "baton auth status" in ran.stderr


async def test_login_with_a_browser_receives_the_redirect_on_loopback(
    http_server: StartServer, tmp_path: Path
) -> None:
    url = await oauth_server(http_server)
    config, outputs = _config(tmp_path, url, url), []
    browser = f"{sys.executable} {FIXTURES / 'browser.py'} %s"
    ran = baton("login", "secured", "-c", str(config), env={"BROWSER": browser}, outputs=outputs)
    assert ran.code == 0, ran.stderr
    assert "Authorize Baton for 'secured' in your browser" in ran.stderr
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in ran.stderr  # an ephemeral loopback port
    assert "logged in" in ran.stdout
    assert_no_token(issued_tokens(url), outputs)
