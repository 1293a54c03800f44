"""The `codex-mcp` worker: Codex up to 0.153 as an MCP server (`codex mcp-server`).

A new thread is the `codex` tool (`prompt`, `cwd`, `sandbox`, `approval-policy`,
`developer-instructions`, `config`); a follow-up is `codex-reply` with `threadId` (and the older
`conversationId`). Progress arrives as `codex/event` notifications, which the MCP SDK does not
know: they are taken off the stream before the session sees them.

Threads live in the server process: used as `async with worker:`, one server serves every call
and `codex-reply` works; a call outside that block starts a server of its own. A thread the
server does not know (it restarted) is a `WorkerError` saying so.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import McpError
from mcp.shared.message import SessionMessage
from mcp.types import CallToolResult, JSONRPCNotification, TextContent

from baton.config.schema import WorkerConfig
from baton.delegation.workers._base import EventSink, Launcher, WorkerCall, WorkerResult
from baton.delegation.workers._held import HeldConnectionWorker
from baton.delegation.workers._mcp_events import McpTranscript
from baton.errors import ThreadLost, WorkerError

__all__ = ["CodexMcpWorker", "tool_call"]

# Notifications waiting for the pipeline before the server is made to wait.
EVENT_BUFFER = 256
# The MCP handshake of a local Codex server: it only reads its config.
STARTUP_TIMEOUT_SEC = 30.0
_START_FAILURES = (
    OSError,
    McpError,
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
    TimeoutError,
)
_TMP_EXCLUSIONS = {
    "sandbox_workspace_write": {"exclude_slash_tmp": True, "exclude_tmpdir_env_var": True}
}


def tool_call(call: WorkerCall, model: str | None = None) -> tuple[str, dict[str, Any]]:
    """The tool and arguments for one call: `codex` for a new thread, else `codex-reply`."""
    if call.thread_id is not None:
        # codex-reply keeps the thread's settings and takes no instructions: they ride along.
        prompt = (
            f"{call.instructions.strip()}\n\n{call.prompt}" if call.instructions else call.prompt
        )
        return "codex-reply", {
            "prompt": prompt,
            "threadId": call.thread_id,
            "conversationId": call.thread_id,
        }
    arguments: dict[str, Any] = {
        "prompt": call.prompt,
        "cwd": str(call.workspace.resolve()),
        "sandbox": call.sandbox,
        "approval-policy": "never",
        "developer-instructions": call.instructions,
        "config": _TMP_EXCLUSIONS,
    }
    return "codex", arguments | ({"model": model} if model else {})


class _Connection:
    """One running `codex mcp-server`: its session, and the transcript events go to."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session
        self.transcript: McpTranscript | None = None
        self.sink: EventSink | None = None
        self.lock = anyio.Lock()

    async def deliver(self, params: dict[str, Any]) -> None:
        if self.transcript is None:
            return
        event = self.transcript.feed(params)
        if event is not None and self.sink is not None:
            await self.sink(event)


class CodexMcpWorker(HeldConnectionWorker[_Connection]):
    """Drives `codex mcp-server` over stdio with the MCP client."""

    def __init__(
        self,
        name: str,
        config: WorkerConfig,
        env: Mapping[str, str] | None = None,
        *,
        launcher: Launcher | None = None,
    ) -> None:
        super().__init__()
        self.name = name
        self._config = config
        self._env = dict(os.environ if env is None else env)
        self._launcher = launcher  # wraps the server's command line, e.g. in the worker jail

    @property
    def command(self) -> Sequence[str]:
        """The Codex executable (and leading arguments); `mcp-server` is added to it."""
        return self._config.command or ["codex"]

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[_Connection]:
        command = [*self.command, "mcp-server"]
        command = self._launcher(command) if self._launcher else command
        params = StdioServerParameters(command=command[0], args=command[1:], env=self._env)
        with tempfile.TemporaryFile("w+", encoding="utf-8") as errlog:
            try:
                async with AsyncExitStack() as stack:
                    read, write = await stack.enter_async_context(stdio_client(params, errlog))
                    events_in, events_out = anyio.create_memory_object_stream[
                        SessionMessage | Exception
                    ](EVENT_BUFFER)
                    group = await stack.enter_async_context(anyio.create_task_group())
                    stack.callback(group.cancel_scope.cancel)
                    session = await stack.enter_async_context(ClientSession(events_out, write))
                    connection = _Connection(session)
                    group.start_soon(_pump, read, events_in, connection)
                    with anyio.fail_after(STARTUP_TIMEOUT_SEC):
                        await session.initialize()
                    yield connection
            except* _START_FAILURES as group:
                cause = group.exceptions[0]
                message = f"codex mcp-server failed: {cause!r} {_tail(errlog)}".strip()
                raise WorkerError(self.name, message) from cause

    async def _call(
        self, connection: _Connection, call: WorkerCall, on_event: EventSink | None
    ) -> WorkerResult | WorkerError:
        tool, arguments = tool_call(call, self._config.model)
        transcript = McpTranscript(call.workspace.resolve(), thread_id=call.thread_id)
        async with connection.lock:
            connection.transcript, connection.sink = transcript, on_event
            try:
                with anyio.fail_after(self._config.timeout_sec):
                    result = await connection.session.call_tool(tool, arguments)
            except TimeoutError:
                return WorkerError(
                    self.name,
                    f"no result after {self._config.timeout_sec:g}s",
                    hint="raise [workers.NAME].timeout_sec, or make the task smaller",
                )
            except (McpError, anyio.BrokenResourceError, anyio.ClosedResourceError) as exc:
                return WorkerError(self.name, f"codex mcp-server broke off the call: {exc!r}")
            finally:
                connection.transcript, connection.sink = None, None
        return self._result(result, transcript)

    def _result(
        self, result: CallToolResult, transcript: McpTranscript
    ) -> WorkerResult | WorkerError:
        structured = result.structuredContent or {}
        text = str(structured.get("content") or _text(result))
        if result.isError:
            if transcript.thread_id and "not found" in text:
                hint = "start a new thread with a summary of the earlier one"
                return ThreadLost(self.name, text, hint=hint)
            return WorkerError(self.name, text or "the codex tool failed")
        if transcript.failure:
            return WorkerError(self.name, transcript.failure)
        return WorkerResult(
            worker=self.name,
            thread_id=str(structured.get("threadId") or transcript.thread_id or "") or None,
            final_message=text or transcript.final_message,
            files_changed=tuple(transcript.files_changed),
            usage=transcript.usage,
        )


async def _pump(
    read: anyio.abc.ObjectReceiveStream[SessionMessage | Exception],
    forward: anyio.abc.ObjectSendStream[SessionMessage | Exception],
    connection: _Connection,
) -> None:
    """Pass every message to the session except `codex/event`, which goes to the transcript."""
    async with forward:
        async for message in read:
            root = message.message.root if isinstance(message, SessionMessage) else None
            if isinstance(root, JSONRPCNotification) and root.method == "codex/event":
                await connection.deliver(dict(root.params or {}))
            else:
                await forward.send(message)


def _text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def _tail(errlog: Any, lines: int = 5) -> str:
    errlog.seek(0)
    tail = [line.strip() for line in errlog.read().splitlines() if line.strip()][-lines:]
    return f"(stderr: {' | '.join(tail)})" if tail else ""
