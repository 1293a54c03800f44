"""The worker of one run, built from its `[workers.NAME]` entry and put in the jail.

The jail (`jail.bwrap_argv`) is given the run's workspace (writable), the worker's own home
(`CODEX_HOME`, writable: Codex keeps its threads there, which `exec resume` needs after a
restart), the installation of the worker's command (read-only), and only the environment
variables `[workers.NAME]` names. Without bubblewrap the worker runs unjailed only when
`[policy].allow_unjailed_worker` says so. A worker that is not a local Codex (`mcp-tool`: a tool of
an upstream server, possibly remote) cannot be jailed and always runs unjailed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from baton.config.schema import PolicyConfig, WorkerConfig
from baton.delegation.jail import JailSpec, JailUnavailable, bwrap_argv, find_bwrap
from baton.delegation.workers import (
    CodexExecWorker,
    CodexMcpWorker,
    Worker,
    WorkerFactory,
    make_worker,
)

__all__ = ["JailedWorker", "build_worker"]

# The adapters that run a local Codex, so can be jailed; each takes a `launcher`.
_JAILABLE: dict[str, type[CodexExecWorker | CodexMcpWorker]] = {
    "codex-exec": CodexExecWorker,
    "codex-mcp": CodexMcpWorker,
}


class JailedWorker:
    """A worker, and the throwaway home its jail used (removed by `close`)."""

    def __init__(self, worker: Worker, home: Path | None, jailed: bool) -> None:
        self.worker = worker
        self.home = home
        self.jailed = jailed

    def close(self) -> None:
        """Remove the jail's throwaway home."""
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)


def _install_root(command: str) -> Path | None:
    """The directory holding the worker's installation: its `node_modules`, else its own dir."""
    found = shutil.which(command)
    if found is None:
        return None
    path = Path(found).resolve()
    for parent in path.parents:
        if parent.name == "node_modules":
            return parent
    return path.parent


def _worker_env(config: WorkerConfig, env: Mapping[str, str]) -> dict[str, str]:
    """The variables the worker keeps: the ones `env_vars` names, then `env`.

    Codex's home defaults to `~/.codex`; the jail's `$HOME` is a throwaway, so the real one is
    named explicitly (it holds the worker's login and its threads).
    """
    kept = {name: env[name] for name in config.env_vars if name in env}
    kept = kept | dict(config.env)
    default_home = Path(env.get("HOME", "~")).expanduser() / ".codex"
    if "CODEX_HOME" not in kept and default_home.is_dir():
        kept["CODEX_HOME"] = str(default_home)
    return kept


def _spec(config: WorkerConfig, env: Mapping[str, str], workspace: Path, home: Path) -> JailSpec:
    passed = _worker_env(config, env)
    own = [Path(passed[name]) for name in ("CODEX_HOME", "TMPDIR") if name in passed]
    writable = tuple(path for path in own if path.is_dir())
    command = config.command[0] if config.command else "codex"
    install = _install_root(command)
    read_only = tuple(p for p in [install] if p is not None)
    return JailSpec(workspace, home, read_only, passed, writable=writable)


def _unjailed(
    name: str,
    config: WorkerConfig,
    env: Mapping[str, str],
    adapters: Mapping[str, WorkerFactory] | None,
) -> Worker:
    """The worker by an injected adapter if one is given for it, else by the default list."""
    factory = (adapters or {}).get(config.adapter)
    return factory(name, config, env) if factory else make_worker(name, config, env)


def build_worker(
    name: str,
    config: WorkerConfig,
    policy: PolicyConfig,
    workspace: Path,
    env: Mapping[str, str] | None = None,
    adapters: Mapping[str, WorkerFactory] | None = None,
) -> JailedWorker:
    """The worker `name` for one run, jailed to `workspace` unless bubblewrap is missing.

    `adapters` (e.g. `mcp-tool`, from the upstream layer) are used over the default list.
    """
    env = dict(os.environ if env is None else env)
    jailable = _JAILABLE.get(config.adapter)
    if jailable is None:
        return JailedWorker(_unjailed(name, config, env, adapters), None, jailed=False)
    try:
        bwrap = find_bwrap()
    except JailUnavailable:
        if not policy.allow_unjailed_worker:
            raise
        return JailedWorker(_unjailed(name, config, env, adapters), None, jailed=False)
    home = Path(tempfile.mkdtemp(prefix="baton-jail-home-"))
    spec = _spec(config, env, workspace, home)

    def jailed(argv: list[str]) -> list[str]:
        return bwrap_argv(spec, argv, bwrap=bwrap)

    return JailedWorker(jailable(name, config, env, launcher=jailed), home, jailed=True)
