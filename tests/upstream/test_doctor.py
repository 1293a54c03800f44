"""`diagnose` and `baton servers list|doctor`: what works, what does not, and what to do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from baton.config.schema import ServerConfig
from baton.upstream.doctor import diagnose
from tests.conftest import baton_command
from tests.upstream._support import FAULTY, TOKEN, StartServer, bearer, legacy_sse

# `baton servers doctor` starts real servers; a cold interpreter plus a server needs a while.
CLI_TIMEOUT_SEC = 60


def faulty_entry(**extra: object) -> str:
    lines = [f'command = "{sys.executable}"', f'args = ["{FAULTY}"]']
    return "\n".join(lines + [f"{key} = {json.dumps(value)}" for key, value in extra.items()])


def run_baton(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*baton_command(), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SEC,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # the project root: config lookup stops here
    (tmp_path / "baton.toml").write_text(
        "[servers.faulty]\n" + faulty_entry(tool_timeout_sec=5) + "\n\n"
        '[servers.missing]\ncommand = "baton-no-such-command"\n\n'
        '[servers.off]\ncommand = "baton-no-such-command"\nenabled = false\n\n'
        '[servers.remote]\nurl = "https://example.invalid/mcp"\n'
        'bearer_token_env_var = "REMOTE_TOKEN"\nenabled = false\n'
    )
    return tmp_path


@pytest.mark.anyio
async def test_a_working_stdio_server_is_described_in_full() -> None:
    with anyio.fail_after(30):
        found = await diagnose("faulty", ServerConfig(command=sys.executable, args=[str(FAULTY)]))
    assert found.ok and found.handshake == "ok" and found.error is None
    assert (found.transport.configured, found.transport.found) == ("stdio", "stdio")
    assert (found.server_name, found.tool_count) == ("faulty", faulty_tool_count())
    assert found.protocol_version and found.startup_ms
    assert (found.auth.kind, found.auth.state) == ("none", "not required")


@pytest.mark.anyio
async def test_a_legacy_server_configured_as_streamable_http_is_found_out(
    http_server: StartServer,
) -> None:
    url = await legacy_sse(http_server)
    with anyio.fail_after(30):
        found = await diagnose("old", ServerConfig(url=url, transport="streamable-http"))
    assert not found.ok and "405" in found.handshake
    assert (found.transport.configured, found.transport.found) == ("streamable-http", "sse")
    assert (
        found.hint
        == 'this server speaks the legacy HTTP+SSE transport: set transport = "sse" or "auto"'
    )


@pytest.mark.anyio
async def test_a_bearer_server_reports_its_variable_never_not_logged_in(
    http_server: StartServer,
) -> None:
    url = await bearer(http_server)
    config = ServerConfig(url=url, bearer_token_env_var="GITHUB_TOKEN")
    with anyio.fail_after(30):
        unset = await diagnose("gh", config, environ={})
        good = await diagnose("gh", config, environ={"GITHUB_TOKEN": TOKEN})
    assert (unset.auth.kind, unset.auth.state) == ("bearer", "env GITHUB_TOKEN unset")
    assert not unset.ok and "export GITHUB_TOKEN=" in (unset.hint or "")
    assert good.ok and good.auth.state == "token from env GITHUB_TOKEN (set)"
    assert good.transport.found == "streamable-http" and good.tool_count == 1
    assert "logged in" not in unset.model_dump_json() + good.model_dump_json()
    assert TOKEN not in good.model_dump_json()


@pytest.mark.anyio
async def test_a_start_up_timeout_hint_names_the_current_value() -> None:
    config = ServerConfig(
        command=sys.executable, args=["-c", "import time; time.sleep(60)"], startup_timeout_sec=0.5
    )
    with anyio.fail_after(10):
        found = await diagnose("slow", config)
    assert not found.ok and "startup_timeout_sec" in (found.hint or "")
    assert "(now 0.5)" in (found.hint or "")


def test_servers_list_json_reads_the_config_only(project: Path) -> None:
    done = run_baton(project, "servers", "list", "--json")
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert list(rows) == ["faulty", "missing", "off", "remote"]
    assert rows["off"]["enabled"] is False and rows["faulty"]["tool_timeout_sec"] == 5
    assert (rows["remote"]["transport"], rows["remote"]["auth"]) == ("auto", "bearer")
    assert rows["remote"]["target"] == "https://example.invalid/mcp"


def test_servers_doctor_json_checks_every_enabled_server_and_exits_1_on_failure(
    project: Path,
) -> None:
    done = run_baton(project, "servers", "doctor", "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [d["server"] for d in report] == ["faulty", "missing"]
    assert report[0]["ok"] and report[0]["server_name"] == "faulty"
    assert not report[1]["ok"] and "command not found" in report[1]["handshake"]
    assert set(report[0]) == {
        "server", "transport", "ok", "handshake", "protocol_version", "server_name",
        "server_version", "tool_count", "startup_ms", "auth", "error", "hint",
    }  # fmt: skip


def test_servers_doctor_of_one_good_server_exits_0(project: Path) -> None:
    done = run_baton(project, "servers", "doctor", "faulty")
    assert done.returncode == 0, done.stderr
    assert "faulty" in done.stdout and "ok" in done.stdout


def test_servers_doctor_of_an_unknown_name_lists_the_known_ones(project: Path) -> None:
    done = run_baton(project, "servers", "doctor", "nope")
    assert done.returncode == 2
    assert "nope" in done.stderr and "faulty, missing, off, remote" in done.stderr


def test_a_broken_config_exits_2(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "baton.toml").write_text('[servers.bad]\ncommand = "x"\nurl = "http://y"\n')
    done = run_baton(tmp_path, "servers", "doctor", "--json")
    assert done.returncode == 2 and "baton.toml" in done.stderr


def faulty_tool_count() -> int:
    """How many tools faulty.py defines, counted in its source: doctor must report them all."""
    return FAULTY.read_text().count("@mcp.tool()")
