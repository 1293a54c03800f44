"""The worker jail: the worker's process runs under bubblewrap, seeing only what it needs.

Inside, the isolated workspace is the one writable project path; `$HOME` is a throwaway
directory holding only what the worker needs (its own Codex home, no other server's tokens);
`/tmp` is empty; system directories are read-only; the environment is cleared to what Baton
passes. The real repository, the real home and every denied path are simply not there: this is
what closes the seed's hole, that the lead's rules cannot reach inside the worker's process.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from baton.errors import BatonError

__all__ = ["JailSpec", "JailUnavailable", "bwrap_argv", "find_bwrap"]

# System locations a worker's tools need, bound read-only when they exist on the host.
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/opt")
# From /etc only what name resolution, TLS and user lookup need; not shadow, not ssh keys.
ETC_FILES = (
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/nsswitch.conf",
    "/etc/passwd",
    "/etc/group",
    "/etc/ssl",
    "/etc/ca-certificates",
    "/etc/pki",
    "/etc/localtime",
    "/etc/alternatives",
)
INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install "
    "bubblewrap), or set [policy].allow_unjailed_worker = true to accept a worker that can "
    "read everything you can"
)


class JailUnavailable(BatonError):
    """bubblewrap is missing, so a worker cannot be given a write sandbox safely."""


@dataclass(frozen=True)
class JailSpec:
    """What the worker may see: its workspace (writable), its home, and read-only extras."""

    workspace: Path
    home: Path
    read_only: tuple[Path, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    network: bool = True  # the worker must reach its model API
    writable: tuple[Path, ...] = ()  # the worker's own state, e.g. its CODEX_HOME


def find_bwrap() -> str:
    """The bubblewrap executable, or an error that says how to get it."""
    found = shutil.which("bwrap")
    if found is None:
        raise JailUnavailable(
            "bubblewrap (bwrap) is not installed: the worker cannot be jailed", hint=INSTALL_HINT
        )
    return found


def _binds(flag: str, paths: Sequence[str | Path]) -> list[str]:
    argv: list[str] = []
    for path in paths:
        if Path(path).is_symlink():
            argv += ["--symlink", str(Path(path).readlink()), str(path)]
        elif Path(path).exists():
            argv += [flag, str(path), str(path)]
    return argv


def bwrap_argv(spec: JailSpec, command: Sequence[str], *, bwrap: str = "bwrap") -> list[str]:
    """The bubblewrap command line that runs `command` inside the jail `spec` describes."""
    argv = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv"]
    if spec.network:
        argv.append("--share-net")
    argv += _binds("--ro-bind", SYSTEM_DIRS) + _binds("--ro-bind", ETC_FILES)
    argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    argv += _binds("--ro-bind", spec.read_only)
    argv += ["--bind", str(spec.workspace), str(spec.workspace)]
    for path in spec.writable:
        argv += ["--bind", str(path), str(path)]
    argv += ["--bind", str(spec.home), str(spec.home), "--chdir", str(spec.workspace)]
    environment = {
        "HOME": str(spec.home),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "TMPDIR": "/tmp",
        **spec.env,
    }
    for name, value in environment.items():
        argv += ["--setenv", name, value]
    return [*argv, "--", *command]
