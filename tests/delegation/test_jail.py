"""The jail with a plain shell worker: the real repository's .env, the real ~/.ssh and everything
outside the workspace are out of reach, while the legitimate change in the workspace is made."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from baton.delegation.jail import JailSpec, JailUnavailable, bwrap_argv, find_bwrap, tool_roots
from tests.conftest import require_tool

SECRET = "SECRET_TOKEN=do-not-leak-31337"
KEY = "-----BEGIN OPENSSH PRIVATE KEY----- fake"


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Path]:
    repo, real_home, workspace, jail_home = (tmp_path / n for n in ("repo", "home", "ws", "jhome"))
    for directory in (repo / "src", real_home / ".ssh", workspace / "src", jail_home):
        directory.mkdir(parents=True)
    (repo / ".env").write_text(SECRET + "\n")
    (repo / "src" / "app.py").write_text("VERSION = 1\n")
    (real_home / ".ssh" / "id_rsa").write_text(KEY + "\n")
    shutil.copy(repo / "src" / "app.py", workspace / "src" / "app.py")  # the workspace: no .env
    return {"repo": repo, "home": real_home, "workspace": workspace, "jail_home": jail_home}


WORKER = """
cat "$REPO/.env" 2>&1
cat "$REAL_HOME/.ssh/id_rsa" 2>&1
cat ~/.ssh/id_rsa 2>&1
cat .env 2>&1
echo pwned > "$REPO/pwned" 2>&1
echo pwned > /etc/pwned 2>&1
echo pwned > "$REAL_HOME/pwned" 2>&1
env
sed -i 's/VERSION = 1/VERSION = 2/' src/app.py && echo "edited"
"""


def test_a_jailed_worker_cannot_reach_secrets_or_write_outside(world: dict[str, Path]) -> None:
    require_tool("bwrap")
    spec = JailSpec(
        workspace=world["workspace"],
        home=world["jail_home"],
        env={"REPO": str(world["repo"]), "REAL_HOME": str(world["home"])},
    )
    done = subprocess.run(
        bwrap_argv(spec, ["/bin/sh", "-c", WORKER], bwrap=find_bwrap()),
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = done.stdout + done.stderr
    assert SECRET not in output and KEY not in output
    assert not (world["repo"] / "pwned").exists() and not (world["home"] / "pwned").exists()
    assert not Path("/etc/pwned").exists()
    assert "edited" in done.stdout
    assert (world["workspace"] / "src" / "app.py").read_text() == "VERSION = 2\n"
    assert (world["repo"] / "src" / "app.py").read_text() == "VERSION = 1\n"
    assert f"HOME={world['jail_home']}" in done.stdout and "ANTHROPIC" not in done.stdout


def test_without_bwrap_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(JailUnavailable) as missing:
        find_bwrap()
    assert "apt-get install bubblewrap" in (missing.value.hint or "")
    assert "allow_unjailed_worker" in (missing.value.hint or "")


def test_a_jailed_gate_sees_the_tools_on_path_but_never_a_whole_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    base = tmp_path / "pythons" / "3.11" / "bin"
    venv = tmp_path / "project" / ".venv"
    node = tmp_path / "project" / "node_modules" / ".bin"
    installed = tmp_path / "tools" / "node" / "bin"
    cargo, local = home / ".cargo" / "bin", home / ".local" / "bin"
    for path in (base, venv / "bin", node, installed, cargo, local):
        path.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(f"home = {base}\nversion = 3.11.7\n")
    (home / ".cargo" / "credentials.toml").write_text("token = 'secret'\n")
    path_variable = os.pathsep.join(
        map(str, [venv / "bin", node, installed, cargo, local, tmp_path / "missing", "/usr/bin"])
    )

    roots = tool_roots(path_variable, home=home)

    assert set(roots) == {
        venv,  # the virtualenv, and the Python it was made from
        base.parent,
        node.parent,  # node_modules
        installed.parent,  # an installation outside the home comes whole
        cargo,  # inside the home only the directory on PATH: not ~/.cargo's token
        local,
    }
