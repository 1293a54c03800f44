"""What upstreams send on their own, relayed to the lead sessions it concerns.

Upstream connections are shared by every lead session, so a message an upstream sends by itself
(a log line, a `list_changed`, a sampling request) is routed to the lead sessions that have a call
in flight to that upstream, or, for broadcasts, to every lead session seen so far. A message about
a call is tied to the lead's request it serves, so over streamable HTTP it travels on that
request's stream, as the upstream sent it, and does not depend on the lead's optional GET stream.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import anyio
from mcp import types
from mcp.server.lowlevel.server import request_ctx
from mcp.server.session import ServerSession
from mcp.shared.exceptions import McpError
from mcp.shared.message import ServerMessageMetadata

from baton.upstream import UpstreamHooks

__all__ = ["Relay"]

log = logging.getLogger(__name__)
R = TypeVar("R", bound=types.Result)

# A lead that does not answer a relayed sampling/elicitation request in this time gets an error
# back to the upstream instead of holding the upstream's call open forever.
RELAYED_REQUEST_TIMEOUT_SEC = 600.0


@dataclass(eq=False)
class _Caller:
    """A lead session waiting on an upstream, and the lead's request it is waiting for."""

    session: ServerSession
    request_id: types.RequestId | None


def _current_request_id() -> types.RequestId | None:
    """The id of the lead request being handled, when called from a request handler."""
    context = request_ctx.get(None)
    return context.request_id if context is not None else None


def _without_envelope(notification: types.ServerNotification) -> types.ServerNotification:
    """The notification minus the `jsonrpc` key it kept as an extra field when it was parsed."""
    root = notification.root
    fields = root.model_dump(by_alias=True, exclude_none=True, exclude={"jsonrpc"})
    return types.ServerNotification(type(root).model_validate(fields))


class Relay:
    """Tracks lead sessions and forwards upstream-initiated messages to them."""

    def __init__(self, *, label_logs: bool, on_tools_changed: Callable[[], None]) -> None:
        self._sessions: weakref.WeakSet[ServerSession] = weakref.WeakSet()
        self._callers: dict[str, list[_Caller]] = {}
        self._label_logs = label_logs
        self._on_tools_changed = on_tools_changed

    def hooks(self) -> UpstreamHooks:
        """The callbacks to hand to the upstream pool."""
        return UpstreamHooks(
            on_log=self._on_log,
            on_notification=self._on_notification,
            on_sampling=self._on_sampling,
            on_elicitation=self._on_elicitation,
            on_list_roots=self._on_list_roots,
        )

    def seen(self, session: ServerSession) -> None:
        """Remember a lead session so broadcasts reach it."""
        self._sessions.add(session)

    @contextmanager
    def calling(self, server: str, session: ServerSession) -> Iterator[None]:
        """While the block runs, `session` waits on `server` for the request it is handling."""
        caller = _Caller(session, _current_request_id())
        callers = self._callers.setdefault(server, [])
        callers.append(caller)
        try:
            yield
        finally:
            callers.remove(caller)

    def _targets(self, server: str) -> list[_Caller]:
        """The leads waiting on `server`, or, when none is, every lead session seen so far."""
        return list(self._callers.get(server) or []) or [
            _Caller(session, None) for session in self._sessions
        ]

    def _caller(self, server: str) -> _Caller | None:
        """Whom to ask on `server`'s behalf: the latest lead waiting on it, else any lead seen."""
        callers = self._callers.get(server)
        if callers:
            return callers[-1]
        session = next(iter(self._sessions), None)
        return _Caller(session, None) if session is not None else None

    async def _each_session(self, send: Callable[[ServerSession], Awaitable[None]]) -> None:
        for session in list(self._sessions):
            try:
                await send(session)
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                self._sessions.discard(session)

    async def _on_log(self, server: str, params: types.LoggingMessageNotificationParams) -> None:
        name = params.logger
        if self._label_logs:
            name = f"{server}/{name}" if name else server
        notification = types.ServerNotification(
            types.LoggingMessageNotification(params=params.model_copy(update={"logger": name}))
        )
        for caller in self._targets(server):
            try:
                await caller.session.send_notification(notification, caller.request_id)
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                self._sessions.discard(caller.session)

    async def _on_notification(self, server: str, notification: types.ServerNotification) -> None:
        if isinstance(notification.root, types.ToolListChangedNotification):
            self._on_tools_changed()
        clean = _without_envelope(notification)
        await self._each_session(lambda session: session.send_notification(clean))

    async def _relay(
        self, server: str, request: types.ServerRequest, result: type[R]
    ) -> R | types.ErrorData:
        caller = self._caller(server)
        if caller is None:
            return types.ErrorData(code=types.INVALID_REQUEST, message="no lead session to ask")
        metadata = ServerMessageMetadata(related_request_id=caller.request_id)
        try:
            with anyio.fail_after(RELAYED_REQUEST_TIMEOUT_SEC):
                return await caller.session.send_request(request, result, metadata=metadata)
        except McpError as error:
            return error.error
        except TimeoutError:
            return types.ErrorData(
                code=types.INTERNAL_ERROR, message="the lead did not answer in time"
            )

    async def _on_sampling(
        self, server: str, params: types.CreateMessageRequestParams
    ) -> types.CreateMessageResult | types.ErrorData:
        request = types.ServerRequest(types.CreateMessageRequest(params=params))
        return await self._relay(server, request, types.CreateMessageResult)

    async def _on_elicitation(
        self, server: str, params: types.ElicitRequestParams
    ) -> types.ElicitResult | types.ErrorData:
        request = types.ServerRequest(types.ElicitRequest(params=params))
        return await self._relay(server, request, types.ElicitResult)

    async def _on_list_roots(self, server: str) -> types.ListRootsResult | types.ErrorData:
        request = types.ServerRequest(types.ListRootsRequest())
        return await self._relay(server, request, types.ListRootsResult)
