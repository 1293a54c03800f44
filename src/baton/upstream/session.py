"""`UpstreamSession`: the SDK's `ClientSession` with the two changes a proxy needs.

1. Abandoned requests are cancelled upstream. `BaseSession.send_request` picks the JSON-RPC id
   itself and, when the waiting task is cancelled (a timeout, or the lead cancelled its own call),
   just drops the response stream: the upstream keeps working for nobody. This subclass reads the
   id the base class is about to use and sends `notifications/cancelled` for it, as the spec asks.
2. Requests from the upstream (sampling, elicitation, roots, ping) are answered in their own task.
   The SDK answers them inside its receive loop, so while the lead thinks about a sampling request
   every response, progress and log line of that upstream would wait behind it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import anyio
from mcp import types
from mcp.client.session import ClientSession
from mcp.shared.message import MessageMetadata
from mcp.shared.session import ProgressFnT, ReceiveResultT, RequestId, RequestResponder

__all__ = ["CANCEL_NOTIFY_TIMEOUT_SEC", "UpstreamSession"]

log = logging.getLogger(__name__)

# Telling the upstream about a cancellation is best effort; a wedged transport must not hold the
# cancelled caller longer than this.
CANCEL_NOTIFY_TIMEOUT_SEC = 2.0


class UpstreamSession(ClientSession):
    """A `ClientSession` that cancels abandoned requests and answers server requests aside."""

    async def send_request(
        self,
        request: types.ClientRequest,
        result_type: type[ReceiveResultT],
        request_read_timeout_seconds: timedelta | None = None,
        metadata: MessageMetadata = None,
        progress_callback: ProgressFnT | None = None,
    ) -> ReceiveResultT:
        """Send `request`; if the caller is cancelled, tell the upstream, then re-raise."""
        request_id = self._request_id  # the id BaseSession.send_request is about to use
        try:
            return await super().send_request(
                request, result_type, request_read_timeout_seconds, metadata, progress_callback
            )
        except anyio.get_cancelled_exc_class():
            # The spec forbids cancelling `initialize`; every other request is fair game.
            if not isinstance(request.root, types.InitializeRequest):
                await self._notify_cancelled(request_id)
            raise

    async def _notify_cancelled(self, request_id: RequestId) -> None:
        notification = types.CancelledNotification(
            params=types.CancelledNotificationParams(
                requestId=request_id, reason="the caller cancelled the request"
            )
        )
        with anyio.CancelScope(shield=True), anyio.move_on_after(CANCEL_NOTIFY_TIMEOUT_SEC):
            try:
                await self.send_notification(types.ClientNotification(notification))
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                log.debug(
                    "connection already closed; request %s not cancelled upstream", request_id
                )

    async def _received_request(
        self, responder: RequestResponder[types.ServerRequest, types.ClientResult]
    ) -> None:
        self._task_group.start_soon(super()._received_request, responder)
