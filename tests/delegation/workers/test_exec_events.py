"""What codex-exec asks Codex for, and what it makes of Codex's JSONL events (no process)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from baton.delegation.workers import WorkerCall, WorkerEvent
from baton.delegation.workers._exec_events import ExecTranscript
from baton.delegation.workers.codex_exec import exec_arguments, toml_string

WORKSPACE = Path("/work/ws")
INSTRUCTIONS = 'SECURITY RULES:\n- NEVER read .env\n- quote " and \\ and \x7f and 日本語'


def overrides(argv: list[str]) -> dict[str, object]:
    pairs = [argv[i + 1] for i, word in enumerate(argv) if word == "-c"]
    return tomllib.loads("\n".join(pairs))


def test_a_new_thread_is_non_interactive_sandboxed_in_the_workspace_with_instructions() -> None:
    argv = exec_arguments(WorkerCall("do it", INSTRUCTIONS, WORKSPACE, "workspace-write"), "m1")
    assert argv[:2] == ["exec", "--json"]
    assert argv[argv.index("--sandbox") + 1] == "workspace-write"
    assert argv[argv.index("--cd") + 1] == str(WORKSPACE)
    assert argv[argv.index("--model") + 1] == "m1"
    settings = overrides(argv)
    assert settings["approval_policy"] == "never"
    assert settings["developer_instructions"] == INSTRUCTIONS
    assert settings["sandbox_workspace_write"] == {
        "exclude_slash_tmp": True,
        "exclude_tmpdir_env_var": True,
    }
    assert argv[-1] == "-" and "do it" not in argv  # the prompt goes in on stdin


def test_a_follow_up_resumes_the_thread_with_the_same_rules() -> None:
    call = WorkerCall("more", INSTRUCTIONS, WORKSPACE, "read-only", thread_id="t-1")
    argv = exec_arguments(call)
    assert argv[:3] == ["exec", "resume", "--json"]
    assert argv[-2:] == ["t-1", "-"]
    settings = overrides(argv)
    assert settings["sandbox_mode"] == "read-only"
    assert settings["approval_policy"] == "never"
    assert settings["developer_instructions"] == INSTRUCTIONS


@pytest.mark.parametrize("text", ["plain", 'a "quoted" \\ path', "tab\tnewline\n\x7f\x01", "😀"])
def test_toml_string_round_trips(text: str) -> None:
    assert tomllib.loads(f"v = {toml_string(text)}")["v"] == text


# Lines as Codex 0.169 printed them in this repository's end-to-end tests.
RUN = [
    {"type": "thread.started", "thread_id": "th-1"},
    {"type": "turn.started"},
    {
        "type": "item.completed",
        "item": {
            "id": "item_0",
            "type": "file_change",
            "changes": [{"path": "/work/ws/src/health.py", "kind": "add"}],
            "status": "completed",
        },
    },
    {
        "type": "item.completed",
        "item": {
            "id": "item_1",
            "type": "command_execution",
            "command": "pytest -q",
            "aggregated_output": "1 passed",
            "exit_code": 0,
            "status": "completed",
        },
    },
    {"type": "item.completed", "item": {"type": "error", "message": "model metadata missing"}},
    {"type": "item.completed", "item": {"type": "agent_message", "text": "Done.\nDetails."}},
    {"type": "turn.completed", "usage": {"input_tokens": 20, "output_tokens": 10}},
]


def test_a_run_becomes_progress_events_and_a_result() -> None:
    transcript = ExecTranscript(WORKSPACE)
    events = [transcript.feed(json.dumps(line)) for line in RUN]
    assert [e for e in events if e] == [
        WorkerEvent("thread", "thread th-1"),
        WorkerEvent("turn", "turn started"),
        WorkerEvent("file_change", "add src/health.py"),
        WorkerEvent("command", "$ pytest -q (exit 0)"),
        WorkerEvent("warning", "model metadata missing"),
        WorkerEvent("message", "Done."),
        WorkerEvent("turn", "turn completed"),
    ]
    assert transcript.thread_id == "th-1"
    assert transcript.final_message == "Done.\nDetails."
    assert transcript.files_changed == ["src/health.py"]
    assert transcript.usage == {"input_tokens": 20, "output_tokens": 10}
    assert transcript.failure is None


def test_a_change_outside_the_workspace_stays_absolute_for_the_audit() -> None:
    transcript = ExecTranscript(WORKSPACE)
    item = {"type": "file_change", "status": "completed", "changes": [{"path": "/etc/passwd"}]}
    transcript.feed(json.dumps({"type": "item.completed", "item": item}))
    assert transcript.files_changed == ["/etc/passwd"]


def test_a_failed_turn_is_a_failure_and_a_reconnect_error_is_not() -> None:
    failed = ExecTranscript(WORKSPACE)
    failed.feed(json.dumps({"type": "turn.failed", "error": {"message": "quota exceeded"}}))
    assert failed.failure == "quota exceeded"

    recovered = ExecTranscript(WORKSPACE)
    recovered.feed(json.dumps({"type": "error", "message": "Reconnecting... 1/5"}))
    recovered.feed(json.dumps({"type": "turn.completed", "usage": {}}))
    assert recovered.failure is None


@pytest.mark.parametrize("line", ["", "Reading additional input from stdin...", "[1, 2]", "{"])
def test_lines_that_are_not_events_are_ignored(line: str) -> None:
    transcript = ExecTranscript(WORKSPACE)
    assert transcript.feed(line) is None
    assert transcript.thread_id is None and transcript.failure is None
