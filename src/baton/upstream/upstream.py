"""`Upstream`: one configured MCP server, started on first use and restarted after a crash.

Every request is bounded by the server's `tool_timeout_sec`; when it runs out, or the caller is
cancelled, the upstream is sent `notifications/cancelled`. JSON-RPC errors from the upstream come
back as `McpError` with their code and data, the message prefixed with the server's name, so the
gateway can pass them on; everything else is an `UpstreamError`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

import anyio
from anyio.abc import TaskGroup
from mcp import types
from mcp.shared.exceptions import McpError
from mcp.shared.session import ProgressFnT

from baton.config.schema import ServerConfig
from baton.errors import UpstreamCrashed, UpstreamError, UpstreamStartError, UpstreamTimeout
from baton.upstream.connection import Connection
from baton.upstream.hooks import UpstreamHooks
from baton.upstream.transport import ResolvedTransport, configured_transport

__all__ = ["Upstream", "UpstreamState"]

log = logging.getLogger("baton.upstream")

R = TypeVar("R", bound=types.Result)
UpstreamState = Literal["idle", "starting", "ready", "failed", "closed"]

# After a connection is lost mid-call, how long to wait for its exit code and stderr to report.
CRASH_REPORT_WAIT_SEC = 2.0
# Closing waits this long for a polite shutdown before cancelling (a process still gets killed).
CLOSE_TIMEOUT_SEC = 5.0
# A server whose cursors never end would page forever; no real tool list is this long.
MAX_LIST_PAGES = 1000


def _prefixed(server: str, exc: McpError) -> McpError:
    error = exc.error
    message = f"upstream '{server}': {error.message}"
    return McpError(types.ErrorData(code=error.code, message=message, data=error.data))


class Upstream:
    """One configured upstream server; use it through the `UpstreamPool` that owns it."""

    def __init__(
        self,
        name: str,
        config: ServerConfig,
        *,
        hooks: UpstreamHooks | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.name, self.config = name, config
        self._hooks = hooks or UpstreamHooks()
        self._environ = environ
        self._group: TaskGroup | None = None
        self._conn: Connection | None = None
        self._closed = False
        self._transport: ResolvedTransport | None = configured_transport(config)
        self._initialize_result: types.InitializeResult | None = None
        self._tools: list[types.Tool] | None = None
        self._tools_generation = 0

    def __repr__(self) -> str:
        return f"<Upstream {self.name!r} {self.state} transport={self.transport}>"

    @property
    def state(self) -> UpstreamState:
        """idle (never used), starting, ready, failed (start failed or connection lost), closed."""
        if self._closed:
            return "closed"
        if self._conn is None:
            return "idle"
        if not self._conn.ready.is_set():
            return "starting"
        return "ready" if self._conn.healthy else "failed"

    @property
    def initialize_result(self) -> types.InitializeResult | None:
        """The last successful handshake's result (capabilities, server info, protocol version)."""
        return self._initialize_result

    @property
    def transport(self) -> ResolvedTransport | None:
        """The transport in use: configured, or found by auto-detection (then cached)."""
        return self._transport

    @property
    def startup_ms(self) -> float | None:
        """How long the current connection took from launch to completed handshake."""
        return self._conn.startup_ms if self._conn else None

    @property
    def last_error(self) -> UpstreamError | None:
        """What ended the latest connection attempt; None while it is healthy."""
        return self._conn.error if self._conn else None

    def attach(self, group: TaskGroup) -> None:
        """Give the upstream the task group its connections run in (the pool does this)."""
        self._group = group

    async def start(self) -> None:
        """Connect if not connected; concurrent callers share one start. Raises `UpstreamError`."""
        await self._connection()

    async def _connection(self) -> Connection:
        if self._closed:
            raise UpstreamStartError(self.name, "the upstream pool is closed")
        conn = self._conn
        if conn is None or (conn.ready.is_set() and not conn.healthy):
            conn = self._launch()
        await conn.ready.wait()
        if not conn.healthy:
            raise conn.error or UpstreamStartError(self.name, "the connection ended")
        self._transport, self._initialize_result = conn.transport, conn.initialize_result
        return conn

    def _launch(self) -> Connection:
        if self._group is None:
            raise RuntimeError(f"upstream '{self.name}' used outside an entered UpstreamPool")
        environ = os.environ if self._environ is None else self._environ
        conn = Connection(
            self.name, self.config, environ, self._hooks, self._transport, self._tools_changed
        )
        self._conn = conn
        self._tools_changed()  # a new process may have new tools
        log.info("starting upstream '%s'", self.name)
        self._group.start_soon(conn.run, name=f"upstream {self.name}")
        return conn

    def _tools_changed(self) -> None:
        self._tools = None
        self._tools_generation += 1

    async def list_tools(self) -> list[types.Tool]:
        """The tools `enabled_tools` / `disabled_tools` let through; cached until list_changed."""
        await self.start()
        if self._tools is not None:
            return list(self._tools)
        generation = self._tools_generation
        tools = [
            tool for tool in await self._list_every_tool() if self.config.exposes_tool(tool.name)
        ]
        if generation == self._tools_generation:  # else it changed while listing: do not cache
            self._tools = tools
        return list(tools)

    async def _list_every_tool(self) -> list[types.Tool]:
        tools: list[types.Tool] = []
        cursor: str | None = None
        for _ in range(MAX_LIST_PAGES):
            params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
            request = types.ClientRequest(types.ListToolsRequest(params=params))
            page = await self._request(request, types.ListToolsResult, "tools/list")
            tools.extend(page.tools)
            if not (cursor := page.nextCursor):
                break
        return tools

    async def call_tool(
        self,
        name: str,
        arguments: dict[str, Any] | None,
        *,
        progress_callback: ProgressFnT | None = None,
        meta: dict[str, Any] | None = None,
    ) -> types.CallToolResult:
        """Call one tool, its progress to `progress_callback`; the result is passed as is."""
        params = types.CallToolRequestParams(
            name=name, arguments=arguments, _meta=types.RequestParams.Meta(**meta) if meta else None
        )
        # Built from validated parts: the wrapper need not check them again.
        request = types.ClientRequest.model_construct(types.CallToolRequest(params=params))
        return await self.send_request(
            request, types.CallToolResult, progress_callback=progress_callback
        )

    async def send_request(
        self,
        request: types.ClientRequest,
        result_type: type[R],
        *,
        progress_callback: ProgressFnT | None = None,
    ) -> R:
        """Send any request: resources/*, prompts/*, completion, logging, ping, tools/call."""
        what: str = request.root.method
        if isinstance(request.root, types.CallToolRequest):
            what = self._check_exposed(request.root.params.name)
        return await self._request(request, result_type, what, progress_callback)

    def _check_exposed(self, tool: str) -> str:
        if not self.config.exposes_tool(tool):
            message = f"upstream '{self.name}': tool '{tool}' is disabled in baton.toml"
            raise McpError(types.ErrorData(code=types.INVALID_PARAMS, message=message))
        return f"tool '{tool}'"

    async def _request(
        self,
        request: types.ClientRequest,
        result_type: type[R],
        what: str,
        progress_callback: ProgressFnT | None = None,
    ) -> R:
        conn = await self._connection()
        assert conn.session is not None
        seconds = self.config.tool_timeout_sec
        # A plain deadline scope rather than `fail_after`: the same, minus a generator per call.
        timeout = anyio.CancelScope(deadline=anyio.current_time() + seconds)
        with conn.call(), timeout:
            try:
                return await conn.session.send_request(
                    request, result_type, progress_callback=progress_callback
                )
            except McpError as exc:
                # A server may use -32000 itself; only a dead connection makes it a crash.
                if exc.error.code != types.CONNECTION_CLOSED or conn.healthy:
                    raise _prefixed(self.name, exc) from exc
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                pass  # the connection is gone: reported below
        if timeout.cancelled_caught:
            raise UpstreamTimeout(
                self.name,
                f"{what} got no answer within {seconds:g}s (tool_timeout_sec)",
                hint=f"raise tool_timeout_sec in [servers.{self.name}] (now {seconds:g})",
            )
        raise await self._crashed(conn, what)

    async def _crashed(self, conn: Connection, what: str) -> UpstreamError:
        with anyio.move_on_after(CRASH_REPORT_WAIT_SEC):
            await conn.finished.wait()  # the exit code and stderr are known once it closed
        if conn.stopping:
            return UpstreamCrashed(self.name, f"closed while {what} was in flight")
        detail = conn.report.describe() or (conn.error.reason if conn.error else "")
        reason = f"the connection was lost during {what}" + (f" ({detail})" if detail else "")
        again = "restarts the server" if self.config.is_stdio else "reconnects"
        return UpstreamCrashed(self.name, reason, hint=f"Baton {again} on the next call")

    async def send_notification(self, notification: types.ClientNotification) -> None:
        """Send a notification (e.g. roots/list_changed) to the upstream."""
        conn = await self._connection()
        assert conn.session is not None
        try:
            with anyio.fail_after(self.config.tool_timeout_sec):
                await conn.session.send_notification(notification)
        except (TimeoutError, anyio.ClosedResourceError, anyio.BrokenResourceError) as exc:
            raise await self._crashed(conn, notification.root.method) from exc

    async def close(self) -> None:
        """Close the connection and, for a stdio server, end its process group."""
        self._closed = True
        conn = self._conn
        if conn is None or conn.finished.is_set():
            return
        conn.stop()
        with anyio.move_on_after(CLOSE_TIMEOUT_SEC):
            await conn.finished.wait()
        if not conn.finished.is_set():
            conn.abort()
            await conn.finished.wait()
