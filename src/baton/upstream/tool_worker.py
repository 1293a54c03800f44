"""The `mcp-tool` worker: any tool of a `[servers.NAME]` upstream that takes a prompt.

`[workers.NAME]` names the `server` and the `tool`. The worker connects with Baton's own upstream
machinery (stdio, streamable HTTP or SSE; bearer tokens and OAuth), reads the tool's input schema
and fills what it has: the prompt, the policy's instructions, the workspace as working directory,
the sandbox, a non-blocking approval policy, and the thread a reply continues. MCP progress
becomes worker events; the workspace diff is the truth of what changed.

A remote tool cannot be jailed: the pipeline runs this worker unjailed and says so. It lives here,
not among `baton.delegation.workers`, because delegation sits below upstream: the pipeline gets
it injected as `Pipeline(..., adapters=mcp_tool_adapters(config.servers))`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
from mcp import types
from mcp.shared.exceptions import McpError
from mcp.shared.session import ProgressFnT

from baton.config.schema import ServerConfig, WorkerConfig
from baton.delegation.workers import (
    EventSink,
    HeldConnectionWorker,
    WorkerCall,
    WorkerEvent,
    WorkerFactory,
    WorkerResult,
)
from baton.errors import ConfigError, ThreadLost, UpstreamError, WorkerError
from baton.upstream.pool import UpstreamPool
from baton.upstream.upstream import Upstream

__all__ = ["McpToolWorker", "mcp_tool_adapters", "tool_arguments"]

# The argument names each value goes to, the first one a tool's schema has winning.
PROMPT_KEYS = ("prompt", "task", "input", "message", "query", "text")
INSTRUCTIONS_KEYS = ("developer-instructions", "developer_instructions", "instructions", "system")
CWD_KEYS = ("cwd", "workdir", "workspace", "directory")
APPROVAL_KEYS = ("approval-policy", "approval_policy")
THREAD_KEYS = ("threadId", "thread_id", "conversationId", "session_id")
# The server's per-request limit must not cut a worker call before the worker's own timeout does.
REQUEST_MARGIN_SEC = 30.0


def mcp_tool_adapters(servers: Mapping[str, ServerConfig]) -> dict[str, WorkerFactory]:
    """The `mcp-tool` adapter over these `[servers]`, for `Pipeline(adapters=...)`."""

    def factory(name: str, config: WorkerConfig, env: Mapping[str, str] | None) -> McpToolWorker:
        return McpToolWorker(name, config, _server_of(name, config, servers), env)

    return {"mcp-tool": factory}


def _server_of(
    name: str, config: WorkerConfig, servers: Mapping[str, ServerConfig]
) -> ServerConfig:
    known = ", ".join(servers) or "none configured"
    if config.server is None or config.server not in servers:
        what = "is not set" if config.server is None else f"no server '{config.server}'"
        raise ConfigError(
            f"{what}; servers: {known}",
            key=f"workers.{name}.server",
            hint="name the [servers.NAME] entry whose tool does the work",
        )
    if not servers[config.server].enabled:
        raise ConfigError(
            f"server '{config.server}' is disabled",
            key=f"workers.{name}.server",
            hint=f"set enabled = true in [servers.{config.server}]",
        )
    if not config.tool:
        raise ConfigError(
            "is not set",
            key=f"workers.{name}.tool",
            hint=f"name the tool of [servers.{config.server}] that takes the prompt",
        )
    return servers[config.server]


def tool_arguments(
    worker: str, tool: types.Tool, call: WorkerCall, model: str | None = None
) -> dict[str, Any]:
    """The arguments of `call` for `tool`, by the names its input schema has. Pure."""
    properties: dict[str, Any] = dict(tool.inputSchema.get("properties") or {})
    prompt_key = next((k for k in PROMPT_KEYS if _is_string(properties.get(k))), None)
    if prompt_key is None:
        raise WorkerError(
            worker,
            f"tool '{tool.name}' takes no prompt argument (one of {', '.join(PROMPT_KEYS)})",
            hint="name a tool that takes the task as text in [workers.NAME].tool",
        )
    thread_key = _first(THREAD_KEYS, properties)
    if call.thread_id is not None and thread_key is None:
        raise ThreadLost(worker, f"tool '{tool.name}' cannot continue a thread")
    arguments: dict[str, Any] = {}
    if (key := _first(INSTRUCTIONS_KEYS, properties)) is not None:
        arguments[key] = call.instructions
        arguments[prompt_key] = call.prompt
    else:
        arguments[prompt_key] = _with_instructions(call)
    optional = [
        (CWD_KEYS, str(call.workspace.resolve())),
        (("sandbox",), call.sandbox),
        (APPROVAL_KEYS, "never"),
        ((thread_key,) if thread_key else (), call.thread_id),
        (("model",), model),
    ]
    for keys, value in optional:
        if value is not None and (key := _first(keys, properties)) is not None:
            arguments[key] = value
    missing = [name for name in tool.inputSchema.get("required") or () if name not in arguments]
    if missing:
        raise WorkerError(
            worker, f"tool '{tool.name}' requires arguments Baton cannot fill: {', '.join(missing)}"
        )
    return arguments


def _first(keys: tuple[str, ...], properties: Mapping[str, Any]) -> str | None:
    return next((key for key in keys if key in properties), None)


def _is_string(schema: Any) -> bool:
    """Whether a property's schema accepts a string (no type at all accepts anything)."""
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    if kind is None:
        choices = [*schema.get("anyOf", ()), *schema.get("oneOf", ())]
        return not choices or any(_is_string(choice) for choice in choices)
    return kind == "string" or (isinstance(kind, list) and "string" in kind)


def _with_instructions(call: WorkerCall) -> str:
    instructions = call.instructions.strip()
    return f"{instructions}\n\n{call.prompt}" if instructions else call.prompt


class McpToolWorker(HeldConnectionWorker[Upstream]):
    """Drives one tool of an upstream MCP server as a worker agent."""

    def __init__(
        self,
        name: str,
        config: WorkerConfig,
        server: ServerConfig,
        env: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.name = name
        self._config = config
        self._tool = config.tool or ""
        self._server_name = config.server or ""
        limit = max(server.tool_timeout_sec, config.timeout_sec + REQUEST_MARGIN_SEC)
        self._server = server.model_copy(update={"tool_timeout_sec": limit})
        self._env = dict(os.environ if env is None else env)

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[Upstream]:
        """The server, started on first use and ended (its process group too) on exit."""
        pool = UpstreamPool({self._server_name: self._server}, environ=self._env)
        async with pool:
            yield pool[self._server_name]

    async def _call(
        self, upstream: Upstream, call: WorkerCall, on_event: EventSink | None
    ) -> WorkerResult | WorkerError:
        seconds = self._config.timeout_sec
        try:
            with anyio.move_on_after(seconds) as deadline:
                tool = await self._find(upstream)
                arguments = tool_arguments(self.name, tool, call, self._config.model)
                result = await upstream.call_tool(
                    self._tool, arguments, progress_callback=_progress(on_event)
                )
        except WorkerError as error:
            return error
        except UpstreamError as error:
            return WorkerError(self.name, error.message, hint=error.hint)
        except McpError as error:
            return WorkerError(self.name, f"tool '{self._tool}' refused: {error.error.message}")
        if deadline.cancelled_caught:
            return WorkerError(
                self.name,
                f"no result after {seconds:g}s",
                hint="raise [workers.NAME].timeout_sec, or make the task smaller",
            )
        return self._result(result)

    async def _find(self, upstream: Upstream) -> types.Tool:
        tools = await upstream.list_tools()
        for tool in tools:
            if tool.name == self._tool:
                return tool
        raise WorkerError(
            self.name,
            f"server '{self._server_name}' has no tool '{self._tool}'; "
            f"tools: {', '.join(tool.name for tool in tools) or 'none'}",
            hint=f"fix [workers.{self.name}].tool (enabled_tools / disabled_tools apply)",
        )

    def _result(self, result: types.CallToolResult) -> WorkerResult | WorkerError:
        text = "\n".join(b.text for b in result.content if isinstance(b, types.TextContent))
        if result.isError:
            return WorkerError(self.name, f"tool '{self._tool}' failed: {text or '(no message)'}")
        structured = result.structuredContent or {}
        thread = next((str(structured[k]) for k in THREAD_KEYS if structured.get(k)), None)
        return WorkerResult(self.name, thread, text, files_changed=())


def _progress(on_event: EventSink | None) -> ProgressFnT | None:
    """The tool's progress notifications as `message` events."""
    if on_event is None:
        return None

    async def forward(progress: float, total: float | None, message: str | None) -> None:
        text = message or (f"{progress:g}/{total:g}" if total else f"{progress:g}")
        await on_event(WorkerEvent("message", text, {"progress": progress, "total": total}))

    return forward
