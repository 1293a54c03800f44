"""A shutdown signal while a transparent proxy is still starting its upstream ends it cleanly.

`baton proxy` and `baton serve --no-prefix` start their upstream before serving (to mirror its
handshake); SIGTERM in that window once made them die with `RuntimeError: generator didn't yield`
and exit 1.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import baton_command
from tests.gateway._client import write_config

# An upstream that reads its stdin and never answers `initialize`: start-up lasts until stopped.
SILENT_UPSTREAM = [sys.executable, "-c", "import sys; sys.stdin.read()"]
STOP_TIMEOUT_SEC = 30
# Baton spawns the upstream right after logging that it starts it; a loaded machine is slow.
SPAWN_TIMEOUT_SEC = 30


def spawned_by(process: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """The processes Baton started, once there are any (it logs before it spawns)."""
    deadline = time.monotonic() + SPAWN_TIMEOUT_SEC
    while time.monotonic() < deadline:
        if children := psutil.Process(process.pid).children(recursive=True):
            return children
        time.sleep(0.02)  # process creation cannot be waited on any other way
    pytest.fail(f"Baton started no upstream process in {SPAWN_TIMEOUT_SEC}s")


@pytest.mark.parametrize(
    "mode",
    [
        ["proxy", "silent"],
        ["serve", "--transport", "http", "--host", "127.0.0.1", "--port", "0", "--no-prefix"],
    ],
    ids=["proxy", "serve-no-prefix"],
)
def test_sigterm_during_upstream_start_up_exits_cleanly(mode: list[str], tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "baton.toml",
        {"silent": {"command": SILENT_UPSTREAM[0], "args": SILENT_UPSTREAM[1:]}},
    )
    argv = [*baton_command(), *mode, "--config", str(config), "--verbose"]
    process = subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    try:
        for line in process.stderr:  # ends at EOF should Baton exit first
            if b"starting upstream 'silent'" in line:
                break
        upstreams = spawned_by(process)
        process.terminate()
        process.wait(timeout=STOP_TIMEOUT_SEC)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_SEC)
    said = process.stderr.read().decode()
    assert process.returncode == 0, said
    assert "Traceback" not in said
    assert not [p for p in upstreams if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
