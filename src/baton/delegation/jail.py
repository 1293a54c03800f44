"""The worker jail: the worker's process runs under bubblewrap, seeing only what it needs.

Inside, the isolated workspace is the one writable project path; `$HOME` is a throwaway
directory holding only what the worker needs (its own Codex home, no other server's tokens);
`/tmp` is empty; system directories are read-only; the environment is cleared to what Baton
passes. The real repository, the real home and every denied path are simply not there: this is
what closes the seed's hole, that the lead's rules cannot reach inside the worker's process.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from baton.errors import BatonError

__all__ = [
    "GATE_ENV_VARS",
    "JailSpec",
    "JailUnavailable",
    "bwrap_argv",
    "find_bwrap",
    "gate_jail",
    "tool_roots",
]

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
# What a gate or acceptance check keeps of Baton's environment: tool lookup, locale and the
# switches test runners read; never tokens or keys (the commands run the worker's code).
GATE_ENV_VARS = (
    "PATH", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ", "CI", "NO_COLOR", "FORCE_COLOR",
    "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE", "PYTHONHASHSEED", "PYTHONPATH", "PYTHONUTF8",
    "NODE_ENV", "NODE_OPTIONS", "NODE_PATH",
)  # fmt: skip
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
    home: Path | None  # None: an empty, throwaway $HOME in the jail's own /tmp
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
    if spec.home is not None:
        argv += ["--bind", str(spec.home), str(spec.home)]
    argv += ["--chdir", str(spec.workspace)]
    environment = {
        "HOME": str(spec.home or "/tmp"),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "TMPDIR": "/tmp",
        **spec.env,
    }
    for name, value in environment.items():
        argv += ["--setenv", name, value]
    return [*argv, "--", *command]


def tool_roots(path_variable: str, home: Path | None = None) -> tuple[Path, ...]:
    """What to show a jailed gate, read-only, so the tools on `PATH` work inside.

    A virtualenv's `bin` brings the virtualenv and the Python it was made from, and
    `node_modules/.bin` its `node_modules`. Another `bin` outside the home brings its
    installation (`/work/tools/node/bin` → `/work/tools/node`); inside the home only the
    directory itself comes, never its parent (`~/.cargo` holds a registry token beside `bin`).
    """
    home = home or Path.home()
    roots: list[Path] = []
    for entry in (Path(p) for p in path_variable.split(os.pathsep) if p):
        if not entry.is_dir() or any(entry.is_relative_to(d) for d in SYSTEM_DIRS):
            continue
        parent = entry.parent
        if (parent / "pyvenv.cfg").is_file():
            roots += [parent, *_venv_base(parent / "pyvenv.cfg")]
        else:
            node_tools = entry.name == ".bin" and parent.name == "node_modules"
            installed = entry.name == "bin" and not entry.is_relative_to(home)
            roots.append(parent if (node_tools or installed) and parent != Path("/") else entry)
    unique = sorted(set(roots))
    return tuple(r for r in unique if not any(r != o and r.is_relative_to(o) for o in unique))


def _venv_base(config: Path) -> list[Path]:
    """The installation a virtualenv's Python links to (`home` in its `pyvenv.cfg`)."""
    for line in config.read_text(errors="replace").splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "home" and value.strip():
            base = Path(value.strip())
            return [base.parent if base.name == "bin" else base]
    return []


def gate_jail(
    workspace: Path, env: Mapping[str, str]
) -> Callable[[Sequence[str]], list[str]] | None:
    """A wrapper that runs gates and acceptance checks jailed, or None without bubblewrap.

    They run the worker's code, so they get the worker's walls and more: the workspace
    (writable), the tools on `PATH` (read-only), an empty home, no network, and only
    `GATE_ENV_VARS` of the environment.
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None
    kept = {name: env[name] for name in GATE_ENV_VARS if name in env}
    spec = JailSpec(
        workspace=workspace,
        home=None,
        read_only=tool_roots(env.get("PATH", "")),
        env=kept,
        network=False,
    )

    def wrap(command: Sequence[str]) -> list[str]:
        return bwrap_argv(spec, command, bwrap=bwrap)

    return wrap
