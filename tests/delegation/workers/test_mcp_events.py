"""What codex-mcp sends as tool calls, and what it makes of `codex/event` notifications."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from baton.delegation.workers import WorkerCall, WorkerEvent
from baton.delegation.workers._mcp_events import McpTranscript
from baton.delegation.workers.codex_mcp import tool_call

WORKSPACE = Path("/work/ws")


def test_a_new_thread_is_the_codex_tool_with_sandbox_cwd_rules_and_no_approvals() -> None:
    tool, arguments = tool_call(WorkerCall("do it", "NEVER X", WORKSPACE, "read-only"), "m1")
    assert tool == "codex"
    assert arguments == {
        "prompt": "do it",
        "cwd": str(WORKSPACE.resolve()),
        "sandbox": "read-only",
        "approval-policy": "never",
        "developer-instructions": "NEVER X",
        "config": {
            "sandbox_workspace_write": {"exclude_slash_tmp": True, "exclude_tmpdir_env_var": True}
        },
        "model": "m1",
    }


def test_a_follow_up_is_codex_reply_with_both_thread_id_spellings() -> None:
    call = WorkerCall("more", "NEVER X", WORKSPACE, "workspace-write", thread_id="t-1")
    assert tool_call(call) == (
        "codex-reply",
        {"prompt": "NEVER X\n\nmore", "threadId": "t-1", "conversationId": "t-1"},
    )


def note(msg: dict[str, Any]) -> dict[str, Any]:
    return {"_meta": {"requestId": 1, "threadId": "th-1"}, "msg": msg}


# Messages as Codex 0.153.0 sent them in this repository's end-to-end tests (trimmed).
RUN = [
    {"type": "session_configured", "session_id": "th-1", "thread_id": "th-1", "model": "gpt-5.5"},
    {"type": "task_started", "turn_id": "u1"},
    {"type": "raw_response_item", "item": {"type": "message"}},
    {"type": "exec_command_end", "command": ["/bin/bash", "-lc", "ls"], "exit_code": 0},
    {
        "type": "patch_apply_end",
        "success": True,
        "changes": {"/work/ws/src/health.py": {"type": "add", "content": "x"}},
    },
    {
        "type": "token_count",
        "info": {"total_token_usage": {"input_tokens": 30, "total_tokens": 45}},
    },
    {"type": "agent_message", "message": "done\nmore detail"},
    {"type": "task_complete", "turn_id": "u1", "last_agent_message": "done\nmore detail"},
]


def test_a_run_becomes_progress_events_and_a_result() -> None:
    transcript = McpTranscript(WORKSPACE)
    events = [transcript.feed(note(msg)) for msg in RUN]
    assert [e for e in events if e] == [
        WorkerEvent("thread", "thread th-1"),
        WorkerEvent("turn", "turn started"),
        WorkerEvent("command", "$ ls (exit 0)"),
        WorkerEvent("file_change", "add src/health.py"),
        WorkerEvent("message", "done"),
        WorkerEvent("turn", "turn completed"),
    ]
    assert transcript.thread_id == "th-1"
    assert transcript.files_changed == ["src/health.py"]
    assert transcript.final_message == "done\nmore detail"
    assert transcript.usage == {"input_tokens": 30, "total_tokens": 45}
    assert transcript.failure is None


def test_a_failed_patch_is_a_warning_and_changes_nothing() -> None:
    transcript = McpTranscript(WORKSPACE)
    event = transcript.feed(
        note({"type": "patch_apply_end", "success": False, "stderr": "bad hunk", "changes": {}})
    )
    assert event == WorkerEvent("warning", "patch failed: bad hunk")
    assert transcript.files_changed == []


def test_an_error_fails_the_call_and_a_stream_error_does_not() -> None:
    transcript = McpTranscript(WORKSPACE)
    transcript.feed(note({"type": "stream_error", "message": "reconnecting 1/5"}))
    assert transcript.failure is None
    transcript.feed(note({"type": "error", "message": "quota exceeded"}))
    assert transcript.failure == "quota exceeded"


def test_params_without_a_message_are_ignored() -> None:
    assert McpTranscript(WORKSPACE).feed({"_meta": {}}) is None
