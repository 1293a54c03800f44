"""The codex-exec worker end to end: the real Codex CLI, a scripted model, a real git repository."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from baton.config.schema import PolicyConfig, WorkerConfig
from baton.delegation.workers import CodexExecWorker, WorkerCall, WorkerEvent
from baton.errors import WorkerError
from baton.policy.instructions import render_instructions
from baton.task import parse_task
from tests.delegation._git import git
from tests.delegation.workers.conftest import CodexFactory
from tests.fixtures.models.responses_server import (
    HANG,
    ResponsesServer,
    apply_patch_call,
    message,
    shell_call,
    turn,
)

pytestmark = [pytest.mark.npm, pytest.mark.anyio]

# A real Codex run on this machine takes a few seconds; this bounds a stuck one.
RUN_LIMIT_SEC = 90

TASK = parse_task(
    """[Task]
- Scope: src/health.py
- Goal: Add a health() function returning the service status
[Acceptance Criteria]
- [ ] health() returns {"status": "ok"} (check: `python -c "import src.health"`)
"""
)
HEALTH = 'def health() -> dict[str, str]:\n    return {"status": "ok"}\n'
HEALTH_PATCH = (
    "*** Begin Patch\n*** Add File: src/health.py\n"
    + "".join(f"+{line}\n" for line in HEALTH.splitlines())
    + "*** End Patch\n"
)


def call(repo: Path, **changes: object) -> WorkerCall:
    instructions = render_instructions(PolicyConfig(), TASK)
    fields: dict[str, object] = {
        "prompt": TASK.to_markdown(),
        "instructions": instructions,
        "workspace": repo,
        "sandbox": "workspace-write",
        **changes,
    }
    return WorkerCall(**fields)  # type: ignore[arg-type]


async def test_codex_edits_the_workspace_as_scripted_and_reports_thread_and_files(
    repo: Path, codex: CodexFactory
) -> None:
    script = [turn(apply_patch_call(HEALTH_PATCH)), turn(message("Added src/health.py."))]
    events: list[WorkerEvent] = []

    async def record(event: WorkerEvent) -> None:
        events.append(event)

    with ResponsesServer(script) as server:
        with anyio.fail_after(RUN_LIMIT_SEC):
            result = await codex(server).run(call(repo), record)
        first, second = server.model_requests

    assert (repo / "src" / "health.py").read_text() == HEALTH
    assert "?? src/health.py" in git(repo, "status", "--porcelain")
    assert result.thread_id and first.body["client_metadata"]["thread_id"] == result.thread_id
    assert result.files_changed == ("src/health.py",)
    assert result.final_message == "Added src/health.py."
    developer = first.input_texts("developer")
    assert render_instructions(PolicyConfig(), TASK).strip() in [t.strip() for t in developer]
    assert "`sandbox_mode` is `workspace-write`" in "\n".join(developer)
    assert "Approval policy is currently never" in "\n".join(developer)
    assert TASK.to_markdown().strip() in [t.strip() for t in first.input_texts("user")]
    assert "apply_patch" in first.tool_names
    assert any("Success" in output for output in second.tool_outputs())
    kinds = [event.kind for event in events]
    assert kinds[0] == "thread" and "file_change" in kinds and kinds[-1] == "turn"
    assert WorkerEvent("file_change", "add src/health.py") in events


async def test_resume_continues_the_same_thread_with_its_history(
    repo: Path, codex: CodexFactory
) -> None:
    script = [
        turn(message("Which file should I create?")),
        turn(apply_patch_call(HEALTH_PATCH)),
        turn(message("Created it.")),
    ]
    with ResponsesServer(script) as server:
        worker = codex(server)
        with anyio.fail_after(RUN_LIMIT_SEC):
            first = await worker.run(call(repo))
            follow_up = call(repo, prompt="Create src/health.py.", thread_id=first.thread_id)
            second = await worker.run(follow_up)
        resumed = server.model_requests[1]

    assert second.thread_id == first.thread_id
    assert second.files_changed == ("src/health.py",)
    assert (repo / "src" / "health.py").read_text() == HEALTH
    user_texts = resumed.input_texts("user")
    assert TASK.to_markdown().strip() in [t.strip() for t in user_texts]  # history kept
    assert user_texts[-1] == "Create src/health.py."
    assert "Which file should I create?" in resumed.input_texts("assistant")
    assert "`sandbox_mode` is `workspace-write`" in "\n".join(resumed.input_texts("developer"))


async def test_read_only_sandbox_is_what_codex_is_told_and_enforces(
    repo: Path, codex: CodexFactory
) -> None:
    script = [turn(shell_call("echo hacked > src/owned.py")), turn(message("Reviewed."))]
    with ResponsesServer(script) as server:
        with anyio.fail_after(RUN_LIMIT_SEC):
            result = await codex(server).run(call(repo, sandbox="read-only"))
        first = server.model_requests[0]

    assert "`sandbox_mode` is `read-only`" in "\n".join(first.input_texts("developer"))
    assert not (repo / "src" / "owned.py").exists()
    assert "Read-only file system" in server.model_requests[1].tool_outputs()[0]
    assert result.files_changed == ()


async def test_workspace_write_opens_the_workspace_only_not_tmp(
    repo: Path, codex: CodexFactory
) -> None:
    outside = repo.parent / "outside.txt"
    script = [turn(shell_call(f"echo escaped > {outside}")), turn(message("Done."))]
    with ResponsesServer(script) as server:
        with anyio.fail_after(RUN_LIMIT_SEC):
            await codex(server).run(call(repo))
        first, second = server.model_requests

    assert not outside.exists()
    assert "Read-only file system" in second.tool_outputs()[0]  # tried, and refused
    assert f"The writable root is `{repo.resolve()}`." in "\n".join(first.input_texts("developer"))


async def test_a_failing_model_is_a_worker_error_naming_the_worker(
    repo: Path, codex: CodexFactory
) -> None:
    with ResponsesServer(script=[]) as server, pytest.raises(WorkerError) as raised:
        with anyio.fail_after(RUN_LIMIT_SEC):
            await codex(server).run(call(repo))
    assert str(raised.value).startswith("worker 'codex': ")
    assert "script exhausted" in str(raised.value)


async def test_a_hung_worker_is_stopped_at_its_timeout(repo: Path, codex: CodexFactory) -> None:
    with ResponsesServer(script=[HANG]) as server, pytest.raises(WorkerError) as raised:
        with anyio.fail_after(RUN_LIMIT_SEC):
            await codex(server, timeout_sec=3).run(call(repo))
    assert "no result after 3s" in str(raised.value)
    assert raised.value.hint and "timeout_sec" in raised.value.hint


async def test_a_missing_codex_says_how_to_install_it(repo: Path) -> None:
    worker = CodexExecWorker("codex", WorkerConfig(command=["/nonexistent/codex"]))
    with pytest.raises(WorkerError, match="cannot start /nonexistent/codex") as raised:
        await worker.run(call(repo))
    assert raised.value.hint and "npm i -g @openai/codex" in raised.value.hint


async def test_a_resumed_thread_works_in_the_new_attempts_workspace(
    repo: Path, tmp_path: Path, codex: CodexFactory
) -> None:
    retry_workspace = tmp_path / "attempt-2"
    retry_workspace.mkdir()
    git(retry_workspace, "init", "-q")
    script = [
        turn(message("First attempt.")),
        turn(apply_patch_call(HEALTH_PATCH)),
        turn(message("Done.")),
    ]
    with ResponsesServer(script) as server:
        worker = codex(server)
        with anyio.fail_after(RUN_LIMIT_SEC):
            first = await worker.run(call(repo))
            retry = call(retry_workspace, prompt="Try again.", thread_id=first.thread_id)
            second = await worker.run(retry)
        resumed = server.model_requests[1]

    assert second.thread_id == first.thread_id
    assert (retry_workspace / "src" / "health.py").read_text() == HEALTH
    assert not (repo / "src" / "health.py").exists()
    assert f"<cwd>{retry_workspace.resolve()}</cwd>" in resumed.input_texts("user")[-2]
