"""The codex-mcp worker end to end: Codex 0.153.0 MCP server, a scripted model, a real git repo."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from baton.config.schema import WorkerConfig
from baton.delegation.workers import CodexMcpWorker, WorkerEvent
from baton.errors import WorkerError
from tests.delegation._git import git
from tests.delegation.workers.conftest import CodexMcpFactory
from tests.delegation.workers.test_codex_exec import HEALTH, HEALTH_PATCH, RUN_LIMIT_SEC, call
from tests.fixtures.models.responses_server import (
    HANG,
    ResponsesServer,
    apply_patch_call,
    message,
    shell_call,
    turn,
)

pytestmark = [pytest.mark.npm, pytest.mark.anyio]


async def test_codex_edits_the_workspace_and_reports_thread_files_and_progress(
    repo: Path, codex_mcp: CodexMcpFactory
) -> None:
    script = [turn(apply_patch_call(HEALTH_PATCH)), turn(message("Added src/health.py."))]
    events: list[WorkerEvent] = []

    async def record(event: WorkerEvent) -> None:
        events.append(event)

    request = call(repo)
    with ResponsesServer(script) as server:
        with anyio.fail_after(RUN_LIMIT_SEC):
            result = await codex_mcp(server).run(request, record)
        first = server.model_requests[0]

    assert (repo / "src" / "health.py").read_text() == HEALTH
    assert "?? src/health.py" in git(repo, "status", "--porcelain")
    assert result.thread_id and first.body["client_metadata"]["thread_id"] == result.thread_id
    assert result.files_changed == ("src/health.py",)
    assert result.final_message == "Added src/health.py."
    developer = first.input_texts("developer")
    assert request.instructions in developer
    assert "`sandbox_mode` is `workspace-write`" in "\n".join(developer)
    assert "Approval policy is currently never" in "\n".join(developer)
    assert f"The writable root is `{repo.resolve()}`." in "\n".join(developer)
    assert request.prompt in first.input_texts("user")
    assert WorkerEvent("thread", f"thread {result.thread_id}") in events
    assert WorkerEvent("file_change", "add src/health.py") in events
    assert events[-1] == WorkerEvent("turn", "turn completed")


async def test_a_reply_on_the_same_server_continues_the_thread(
    repo: Path, codex_mcp: CodexMcpFactory
) -> None:
    script = [
        turn(message("Which file?")),
        turn(apply_patch_call(HEALTH_PATCH)),
        turn(message("Created it.")),
    ]
    with ResponsesServer(script) as server:
        async with codex_mcp(server) as worker:
            with anyio.fail_after(RUN_LIMIT_SEC):
                first = await worker.run(call(repo))
                follow_up = call(repo, prompt="Create src/health.py.", thread_id=first.thread_id)
                second = await worker.run(follow_up)
        resumed = server.model_requests[1]

    assert second.thread_id == first.thread_id
    assert second.files_changed == ("src/health.py",)
    assert second.final_message == "Created it."
    assert "Which file?" in resumed.input_texts("assistant")
    # codex-reply takes no developer instructions, so they come with the follow-up prompt.
    assert (
        resumed.input_texts("user")[-1]
        == f"{follow_up.instructions.strip()}\n\nCreate src/health.py."
    )


async def test_a_thread_unknown_to_a_restarted_server_is_a_clear_error(
    repo: Path, codex_mcp: CodexMcpFactory
) -> None:
    with ResponsesServer(script=[turn(message("Hello."))]) as server:
        with anyio.fail_after(RUN_LIMIT_SEC):
            first = await codex_mcp(server).run(call(repo))  # its own server, gone afterwards
            with pytest.raises(WorkerError) as raised:
                await codex_mcp(server).run(call(repo, prompt="More.", thread_id=first.thread_id))
    assert f"Session not found for thread_id: {first.thread_id}" in str(raised.value)
    assert raised.value.hint and "new thread" in raised.value.hint


async def test_read_only_is_enforced(repo: Path, codex_mcp: CodexMcpFactory) -> None:
    script = [turn(shell_call("echo hacked > src/owned.py")), turn(message("Reviewed."))]
    with ResponsesServer(script) as server:
        with anyio.fail_after(RUN_LIMIT_SEC):
            result = await codex_mcp(server).run(call(repo, sandbox="read-only"))
        first, second = server.model_requests
    assert "`sandbox_mode` is `read-only`" in "\n".join(first.input_texts("developer"))
    assert not (repo / "src" / "owned.py").exists()
    assert "Read-only file system" in second.tool_outputs()[0]  # tried, and refused
    assert result.files_changed == ()


async def test_a_hung_worker_is_stopped_at_its_timeout(
    repo: Path, codex_mcp: CodexMcpFactory
) -> None:
    with ResponsesServer(script=[HANG]) as server, pytest.raises(WorkerError) as raised:
        with anyio.fail_after(RUN_LIMIT_SEC):
            await codex_mcp(server, timeout_sec=3).run(call(repo))
    assert "no result after 3s" in str(raised.value)


@pytest.mark.parametrize("command", [["/nonexistent/codex"], ["/bin/false"]])
async def test_a_server_that_cannot_start_is_a_worker_error(repo: Path, command: list[str]) -> None:
    worker = CodexMcpWorker("codex-0153", WorkerConfig(adapter="codex-mcp", command=command))
    with anyio.fail_after(RUN_LIMIT_SEC), pytest.raises(WorkerError, match="mcp-server failed"):
        await worker.run(call(repo))
