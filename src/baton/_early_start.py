"""Stdio upstreams started before Baton's heavy imports: `baton serve` and `baton proxy` start-up.

A Python process spends about 300 ms importing the MCP SDK, and a Python upstream about as long
starting; `baton serve` used to pay the two one after the other before its first `tools/list`.
`start_early`, called by the CLI before it imports anything heavy, spawns every enabled stdio
upstream at once, so their start-up overlaps Baton's. When the pool later starts an upstream, the
stdio transport `adopt`s the waiting process if it was spawned from exactly the same command,
arguments, environment and directory (`LaunchSpec`), and spawns a fresh one otherwise. Processes
never adopted are ended at exit. An early start is only an optimization: any failure here is
silent, and the normal start reports it.

Kept outside `baton.upstream` because importing that package imports the SDK.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from baton.config.expand import expand
from baton.config.schema import ServerConfig
from baton.errors import ConfigError, UpstreamConfigError, UpstreamStartError

__all__ = ["LaunchSpec", "adopt", "inherited_environment", "launch_spec", "start_early"]

# What a stdio server inherits from Baton's environment: the MCP SDK's POSIX list
# (`mcp.client.stdio.DEFAULT_INHERITED_ENV_VARS`), copied so this module need not import the SDK.
INHERITED_ENV_VARS = ("HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER")

_waiting: dict[LaunchSpec, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class LaunchSpec:
    """Everything that decides what a stdio server process is: equal specs, same process."""

    argv: tuple[str, ...]  # the resolved executable first
    env: tuple[tuple[str, str], ...]
    cwd: Path | None
    command: str = field(default="", compare=False)  # as configured (expanded): for messages

    @property
    def environment(self) -> dict[str, str]:
        """The child's whole environment."""
        return dict(self.env)


def inherited_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables a server inherits, as the SDK's `get_default_environment` picks them."""
    environ = os.environ if environ is None else environ
    return {
        key: environ[key]
        for key in INHERITED_ENV_VARS
        if key in environ and not environ[key].startswith("()")  # exported shell functions
    }


def _expand(server: str, value: str, environ: Mapping[str, str], *, key: str) -> str:
    try:
        return expand(value, environ, where=f"servers.{server}.{key}")
    except ConfigError as exc:
        raise UpstreamConfigError(server, exc.message, hint=exc.hint) from exc


def _resolve_command(server: str, command: str, env: Mapping[str, str], cwd: Path | None) -> str:
    if os.sep in command:  # a path: relative to the server's cwd, as the child will see it
        command = os.path.abspath(os.path.join(cwd or ".", command))
    found = shutil.which(command, path=env.get("PATH"))
    if found is None:
        raise UpstreamStartError(
            server,
            f"command not found: {command}",
            hint=f"install {command} or put its directory on PATH (Baton passes its own PATH "
            f"unless [servers.{server}].env sets one), or give `command` as a full path",
        )
    return found


def launch_spec(server: str, config: ServerConfig, environ: Mapping[str, str]) -> LaunchSpec:
    """The process a stdio server config describes; raises `UpstreamError` for a bad config."""
    assert config.command is not None
    command = _expand(server, config.command, environ, key="command")
    args = [_expand(server, arg, environ, key="args") for arg in config.args]
    env = inherited_environment()
    env.update({k: _expand(server, v, environ, key=f"env.{k}") for k, v in config.env.items()})
    if config.cwd is not None and not config.cwd.is_dir():
        raise UpstreamConfigError(
            server, f"cwd {config.cwd} is not a directory", hint=f"fix `cwd` in [servers.{server}]"
        )
    executable = _resolve_command(server, command, env, config.cwd)
    return LaunchSpec((executable, *args), tuple(sorted(env.items())), config.cwd, command)


def start_early(servers: Iterable[tuple[str, ServerConfig]]) -> None:
    """Spawn every stdio server now, to be adopted later; skip any that cannot be described."""
    for server, config in servers:
        if not config.is_stdio:
            continue
        try:
            spec = launch_spec(server, config, os.environ)
            if spec in _waiting:
                continue
            _waiting[spec] = subprocess.Popen(
                spec.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=spec.environment,
                cwd=spec.cwd,
                start_new_session=True,  # its own process group, as the normal start does
            )
        except (UpstreamConfigError, UpstreamStartError, OSError):
            continue  # the normal start will say what is wrong
    if _waiting:
        atexit.register(_end_unadopted)


def adopt(spec: LaunchSpec) -> subprocess.Popen[bytes] | None:
    """The early process spawned for `spec`, still running, or None (then spawn as usual)."""
    process = _waiting.pop(spec, None)
    if process is not None and process.poll() is not None:
        _close_pipes(process)
        return None  # it died while waiting: a fresh start gives the real error report
    return process


def _end_unadopted() -> None:
    """End the process groups of early processes nobody took (Baton failed before using them)."""
    while _waiting:
        _, process = _waiting.popitem()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        _close_pipes(process)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=1)


def _close_pipes(process: subprocess.Popen[bytes]) -> None:
    for pipe in (process.stdin, process.stdout, process.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
