"""Every worker call passes the policy engine before the worker starts (invariant 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.config.schema import PolicyConfig
from baton.delegation._attempts import check_worker_call
from baton.delegation.workers import WorkerCall
from baton.errors import WorkerError


def call(sandbox: str, workspace: Path) -> WorkerCall:
    return WorkerCall("prompt", "rules", workspace, sandbox, None)  # type: ignore[arg-type]


@pytest.mark.parametrize("sandbox", ["workspace-write", "read-only"])
def test_a_sandboxed_call_in_its_workspace_is_allowed(sandbox: str, tmp_path: Path) -> None:
    check_worker_call(PolicyConfig(), "codex", call(sandbox, tmp_path))


def test_full_access_is_refused_with_the_rule_that_refused_it(tmp_path: Path) -> None:
    refused = r"worker 'codex': the policy refused .*danger-full-access"
    with pytest.raises(WorkerError, match=refused):
        check_worker_call(PolicyConfig(), "codex", call("danger-full-access", tmp_path))
