"""`codex exec --json` output, one JSONL event per line, into `WorkerEvent`s and a result. Pure.

The events (Codex 0.169): `thread.started {thread_id}`, `turn.started`, `turn.completed {usage}`,
`turn.failed {error}`, `error {message}`, and `item.started` / `item.updated` / `item.completed`
with an item of type `agent_message`, `reasoning`, `command_execution`, `file_change`,
`mcp_tool_call`, `web_search`, `todo_list` or `error` (a warning; the run goes on).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from baton.delegation.workers._base import Transcript, WorkerEvent

__all__ = ["ExecTranscript", "first_line", "relative"]


def first_line(text: str, limit: int = 200) -> str:
    """The first line of `text`, cut to `limit` characters."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _item_event(item: dict[str, Any], workspace: Path) -> WorkerEvent | None:
    """The progress event for a completed item, or None for items that say nothing new."""
    kind = item.get("type")
    if kind == "agent_message":
        return WorkerEvent("message", first_line(str(item.get("text", ""))), item)
    if kind == "reasoning":
        return WorkerEvent("reasoning", first_line(str(item.get("text", ""))), item)
    if kind == "command_execution":
        text = f"$ {item.get('command', '')} (exit {item.get('exit_code')})"
        return WorkerEvent("command", text, item)
    if kind == "file_change":
        changes = [
            f"{c.get('kind')} {relative(str(c.get('path')), workspace)}" for c in _changes(item)
        ]
        return WorkerEvent("file_change", ", ".join(changes), item)
    if kind == "mcp_tool_call":
        return WorkerEvent("tool", f"{item.get('server')}.{item.get('tool')}", item)
    if kind == "todo_list":
        done = sum(1 for entry in item.get("items", []) if entry.get("completed"))
        return WorkerEvent("plan", f"plan: {done}/{len(item.get('items', []))} done", item)
    if kind == "error":
        return WorkerEvent("warning", str(item.get("message", "")), item)
    return None


def _changes(item: dict[str, Any]) -> list[dict[str, Any]]:
    changes = item.get("changes")
    return [c for c in changes if isinstance(c, dict)] if isinstance(changes, list) else []


def relative(path: str, workspace: Path) -> str:
    """`path` relative to the workspace, or unchanged when it lies outside."""
    candidate = Path(path)
    try:
        return candidate.relative_to(workspace).as_posix() if candidate.is_absolute() else path
    except ValueError:
        return path  # outside the workspace: kept absolute so the audit sees it


class ExecTranscript(Transcript):
    """Folds the JSONL lines of one `codex exec` run into events and the run's outcome."""

    def feed(self, line: str) -> WorkerEvent | None:
        """Take one output line; return its progress event, if it has one."""
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            return None  # Codex prints the odd plain line; the JSONL events are what count
        if not isinstance(event, dict):
            return None
        kind = event.get("type")
        if kind == "thread.started":
            self.thread_id = str(event.get("thread_id") or "") or None
            return WorkerEvent("thread", f"thread {self.thread_id}", event)
        if kind == "turn.started":
            return WorkerEvent("turn", "turn started", event)
        if kind == "turn.completed":
            usage = event.get("usage") or {}
            self.usage = {k: v for k, v in usage.items() if isinstance(v, int)}
            self.failure = None  # an `error` before it was transient (a reconnect)
            return WorkerEvent("turn", "turn completed", event)
        if kind in ("turn.failed", "error"):
            error = event.get("error") if kind == "turn.failed" else event
            self.failure = str((error or {}).get("message") or "the turn failed")
            return WorkerEvent("warning", self.failure, event)
        if kind == "item.completed" and isinstance(event.get("item"), dict):
            return self._completed(event["item"])
        return None

    def _completed(self, item: dict[str, Any]) -> WorkerEvent | None:
        if item.get("type") == "agent_message":
            self.final_message = str(item.get("text", ""))
        if item.get("type") == "file_change" and item.get("status") == "completed":
            for change in _changes(item):
                path = relative(str(change.get("path")), self.workspace)
                if path not in self.files_changed:
                    self.files_changed.append(path)
        return _item_event(item, self.workspace)
