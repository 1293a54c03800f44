"""What an upstream sends on its own, handed to the pool's owner through `UpstreamHooks`.

The hooks become the SDK `ClientSession` callbacks. A callback is passed only when its hook is set,
because the SDK derives the client capabilities it advertises (sampling, elicitation, roots) from
which callbacks it was given: an upstream is never told Baton can do what nobody will answer.

Hooks run inside the SDK's receive loop, where an exception would end the connection. Like
mitmproxy's `safecall`, a failing hook is logged and answered with an error instead: the owner's
bug costs that one message, never the upstream.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from mcp import types
from mcp.client.session import ClientSession
from mcp.shared.context import RequestContext
from mcp.shared.session import RequestResponder

__all__ = ["UpstreamHooks", "session_callbacks"]

log = logging.getLogger(__name__)

LogHook = Callable[[str, types.LoggingMessageNotificationParams], Awaitable[None]]
NotificationHook = Callable[[str, types.ServerNotification], Awaitable[None]]
SamplingHook = Callable[
    [str, types.CreateMessageRequestParams], Awaitable[types.CreateMessageResult | types.ErrorData]
]
ElicitationHook = Callable[
    [str, types.ElicitRequestParams], Awaitable[types.ElicitResult | types.ErrorData]
]
ListRootsHook = Callable[[str], Awaitable[types.ListRootsResult | types.ErrorData]]
Context = RequestContext[ClientSession, Any]
Incoming = (
    RequestResponder[types.ServerRequest, types.ClientResult] | types.ServerNotification | Exception
)

# Delivered to their own callbacks (progress to the call's progress_callback), not on_notification.
_NOT_RELAYED = (types.ProgressNotification, types.LoggingMessageNotification)


@dataclass(frozen=True)
class UpstreamHooks:
    """Callbacks from the pool's owner for what an upstream sends on its own; all optional.

    Each receives the upstream's name first. `on_notification` gets every server notification
    except progress (routed to the call it belongs to) and logging (`on_log`).
    """

    on_log: LogHook | None = None
    on_notification: NotificationHook | None = None
    on_sampling: SamplingHook | None = None
    on_elicitation: ElicitationHook | None = None
    on_list_roots: ListRootsHook | None = None


def _hook_failed(server: str, what: str, exc: Exception) -> types.ErrorData:
    log.error("upstream '%s': the %s hook failed: %r", server, what, exc)
    return types.ErrorData(code=types.INTERNAL_ERROR, message=f"baton: {what} failed: {exc}")


def session_callbacks(
    server: str, hooks: UpstreamHooks, on_tools_changed: Callable[[], None]
) -> dict[str, Any]:
    """Keyword arguments for `ClientSession` that route upstream-initiated traffic to `hooks`."""
    callbacks: dict[str, Any] = {
        "message_handler": _message_handler(server, hooks, on_tools_changed)
    }
    if hooks.on_log is not None:
        callbacks["logging_callback"] = _logging_callback(server, hooks.on_log)
    if hooks.on_sampling is not None:
        callbacks["sampling_callback"] = _sampling_callback(server, hooks.on_sampling)
    if hooks.on_elicitation is not None:
        callbacks["elicitation_callback"] = _elicitation_callback(server, hooks.on_elicitation)
    if hooks.on_list_roots is not None:
        callbacks["list_roots_callback"] = _list_roots_callback(server, hooks.on_list_roots)
    return callbacks


def _message_handler(
    server: str, hooks: UpstreamHooks, on_tools_changed: Callable[[], None]
) -> Callable[[Incoming], Awaitable[None]]:
    async def handle(message: Incoming) -> None:
        if isinstance(message, Exception):
            # Unreadable lines are reported by the transport; what remains here is mostly a late
            # answer to a request that was cancelled or timed out, which is expected.
            log.debug("upstream '%s': message ignored: %s", server, message)
            return
        if not isinstance(message, types.ServerNotification):
            return  # a server request, already answered by the callbacks below
        if isinstance(message.root, types.ToolListChangedNotification):
            on_tools_changed()
        if hooks.on_notification is None or isinstance(message.root, _NOT_RELAYED):
            return
        try:
            await hooks.on_notification(server, message)
        except Exception as exc:  # the owner's hook must not end the receive loop
            _hook_failed(server, "notification", exc)

    return handle


def _logging_callback(
    server: str, hook: LogHook
) -> Callable[[types.LoggingMessageNotificationParams], Awaitable[None]]:
    async def on_log(params: types.LoggingMessageNotificationParams) -> None:
        try:
            await hook(server, params)
        except Exception as exc:  # the owner's hook must not end the receive loop
            _hook_failed(server, "log", exc)

    return on_log


def _sampling_callback(
    server: str, hook: SamplingHook
) -> Callable[
    [Context, types.CreateMessageRequestParams],
    Awaitable[types.CreateMessageResult | types.ErrorData],
]:
    async def on_sampling(
        context: Context, params: types.CreateMessageRequestParams
    ) -> types.CreateMessageResult | types.ErrorData:
        try:
            return await hook(server, params)
        except Exception as exc:  # answered as an error; the upstream's call goes on
            return _hook_failed(server, "sampling", exc)

    return on_sampling


def _elicitation_callback(
    server: str, hook: ElicitationHook
) -> Callable[
    [Context, types.ElicitRequestParams], Awaitable[types.ElicitResult | types.ErrorData]
]:
    async def on_elicitation(
        context: Context, params: types.ElicitRequestParams
    ) -> types.ElicitResult | types.ErrorData:
        try:
            return await hook(server, params)
        except Exception as exc:  # answered as an error; the upstream's call goes on
            return _hook_failed(server, "elicitation", exc)

    return on_elicitation


def _list_roots_callback(
    server: str, hook: ListRootsHook
) -> Callable[[Context], Awaitable[types.ListRootsResult | types.ErrorData]]:
    async def on_list_roots(context: Context) -> types.ListRootsResult | types.ErrorData:
        try:
            return await hook(server)
        except Exception as exc:  # answered as an error; the upstream's call goes on
            return _hook_failed(server, "roots", exc)

    return on_list_roots
