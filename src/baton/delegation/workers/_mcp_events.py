"""`codex mcp-server`'s `codex/event` notifications into `WorkerEvent`s and a result. Pure.

Each notification's `params.msg` is one Codex event (Codex 0.153): `session_configured`
(thread id), `task_started`, `exec_command_end`, `patch_apply_end` (files changed),
`agent_message`, `token_count`, `error` / `stream_error`, `task_complete`. The many others
(`raw_response_item`, deltas, `item_started`, ...) repeat these and are skipped.
"""

from __future__ import annotations

from typing import Any

from baton.delegation.workers._base import Transcript, WorkerEvent
from baton.delegation.workers._exec_events import first_line, relative

__all__ = ["McpTranscript"]


def _command(msg: dict[str, Any]) -> str:
    command = msg.get("command")
    if isinstance(command, list):
        words = [str(word) for word in command]
        # Codex wraps every command in `bash -lc '...'`; the script is what the worker ran.
        return words[-1] if len(words) == 3 and words[1] in ("-lc", "-c") else " ".join(words)
    return str(command)


class McpTranscript(Transcript):
    """Folds the `codex/event` messages of one tool call into events and the call's outcome."""

    def feed(self, params: dict[str, Any]) -> WorkerEvent | None:
        """Take one notification's params; return its progress event, if it has one."""
        msg = params.get("msg")
        if not isinstance(msg, dict):
            return None
        kind = msg.get("type")
        if kind == "session_configured":
            self.thread_id = str(msg.get("thread_id") or msg.get("session_id") or "") or None
            return WorkerEvent("thread", f"thread {self.thread_id}", msg)
        if kind == "task_started":
            return WorkerEvent("turn", "turn started", msg)
        if kind == "task_complete":
            self.final_message = str(msg.get("last_agent_message") or self.final_message)
            return WorkerEvent("turn", "turn completed", msg)
        if kind == "exec_command_end":
            text = f"$ {_command(msg)} (exit {msg.get('exit_code')})"
            return WorkerEvent("command", text, msg)
        if kind == "patch_apply_end":
            return self._patched(msg)
        if kind == "agent_message":
            self.final_message = str(msg.get("message", ""))
            return WorkerEvent("message", first_line(self.final_message), msg)
        if kind == "token_count":
            total = (msg.get("info") or {}).get("total_token_usage") or {}
            self.usage = {k: v for k, v in total.items() if isinstance(v, int)}
            return None
        if kind in ("error", "stream_error"):
            text = str(msg.get("message", kind))
            self.failure = text if kind == "error" else self.failure
            return WorkerEvent("warning", text, msg)
        return None

    def _patched(self, msg: dict[str, Any]) -> WorkerEvent | None:
        changes = msg.get("changes")
        if not msg.get("success") or not isinstance(changes, dict):
            return WorkerEvent(
                "warning", f"patch failed: {first_line(str(msg.get('stderr')))}", msg
            )
        described = []
        for path, change in changes.items():
            local = relative(str(path), self.workspace)
            kind = change.get("type") if isinstance(change, dict) else "update"
            described.append(f"{kind} {local}")
            if local not in self.files_changed:
                self.files_changed.append(local)
        return WorkerEvent("file_change", ", ".join(described), msg)
