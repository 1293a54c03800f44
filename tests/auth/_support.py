"""Helpers for the authorization tests: the OAuth fixture server, running `baton`, leak checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import baton_command
from tests.upstream._support import StartServer

CLI_TIMEOUT_SEC = 60


async def oauth_server(
    http_server: StartServer, path: str = "/mcp", env: Mapping[str, str] | None = None
) -> str:
    """Start tests/fixtures/servers/oauth_protected.py; the URL of `path` on it."""
    argv = [sys.executable, "oauth_protected.py", "--port", "{port}"]
    return await http_server(argv, path, env=env)


def stats(url: str) -> dict[str, object]:
    """The fixture authorization server's counters and every token it has issued."""
    base = url.rsplit("/", 1)[0]
    result: dict[str, object] = httpx.get(f"{base}/debug/stats").json()
    return result


def issued_tokens(url: str) -> list[str]:
    """Every access and refresh token the fixture server has handed out."""
    issued = stats(url)["issued"]
    assert isinstance(issued, list)
    return [str(token) for token in issued]


@dataclass
class Ran:
    """One finished `baton` run."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def baton(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, outputs: list[str]
) -> Ran:
    """Run the real `baton` CLI; its stdout and stderr are appended to `outputs` for leak checks."""
    done = subprocess.run(
        [*baton_command(), *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SEC,
        check=False,
    )
    outputs.extend([done.stdout, done.stderr])
    return Ran(done.returncode, done.stdout, done.stderr)


def assert_no_token(tokens: Iterable[str], texts: Iterable[str]) -> None:
    """None of `tokens` (nor a recognisable part) occurs in any of `texts`."""
    texts = list(texts)
    for token in tokens:
        for text in texts:
            assert token[-16:] not in text, "a token leaked into captured output"


def write_config(directory: Path, text: str) -> Path:
    """A baton.toml in `directory`."""
    path = directory / "baton.toml"
    path.write_text(text, encoding="utf-8")
    return path
