"""codex-exec inside the worker jail: the real Codex still edits its workspace, and the lead's
repository (its .env), the real home and Codex's credentials outside the jail are not there."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import anyio
import pytest

from baton.config.schema import WorkerConfig
from baton.delegation.jail import JailSpec, bwrap_argv
from baton.delegation.workers import CodexExecWorker
from tests.conftest import REPO, codex_cli, require_tool
from tests.delegation.workers.test_codex_exec import HEALTH, HEALTH_PATCH, RUN_LIMIT_SEC, call
from tests.fixtures.models.responses_server import (
    ResponsesServer,
    apply_patch_call,
    message,
    shell_call,
    turn,
    write_codex_home,
)

pytestmark = [pytest.mark.npm, pytest.mark.anyio]

SECRET = "SECRET_TOKEN=do-not-leak-31337"


async def test_jailed_codex_edits_the_workspace_and_cannot_read_the_leads_env(
    repo: Path, tmp_path: Path
) -> None:
    require_tool("bwrap")
    binary = codex_cli()
    (repo / ".env").write_text(SECRET + "\n")
    workspace = tmp_path / "workspace"
    shutil.copytree(repo, workspace, ignore=shutil.ignore_patterns(".env"))
    jail_home = tmp_path / "jail-home"
    real_home = os.environ.get("HOME", "/root")
    probe = f"cat {repo}/.env; cat .env; ls {real_home}; echo done"
    script = [
        turn(shell_call(probe)),
        turn(apply_patch_call(HEALTH_PATCH)),
        turn(message("Added it.")),
    ]
    with ResponsesServer(script) as server:
        codex_env = write_codex_home(jail_home / ".codex", server.base_url)
        spec = JailSpec(workspace.resolve(), jail_home, (REPO / "node_modules",), codex_env)
        worker = CodexExecWorker(
            "codex",
            WorkerConfig(command=[str(binary)]),
            launcher=lambda argv: bwrap_argv(spec, argv),
        )
        with anyio.fail_after(RUN_LIMIT_SEC):
            result = await worker.run(call(workspace))
        probed = server.model_requests[1].tool_outputs()[0]

    assert SECRET not in probed
    assert f"{repo}/.env: No such file or directory" in probed
    assert f"cannot access '{real_home}': No such file or directory" in probed
    assert (workspace / "src" / "health.py").read_text() == HEALTH
    assert result.files_changed == ("src/health.py",)
    assert not (repo / "src" / "health.py").exists()
    assert (repo / ".env").read_text() == SECRET + "\n"
