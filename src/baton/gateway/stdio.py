"""The gateway's stdio transport: newline-delimited JSON-RPC on stdin/stdout.

Written here rather than taken from `mcp.server.stdio` because the SDK's reader answers a line
that is not JSON with no response at all, and an unknown method with "invalid params"; a lead
must get the JSON-RPC errors the spec names (-32700, -32600, -32601) and the gateway keep serving.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from io import TextIOWrapper
from typing import Any, get_args

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp import types
from mcp.shared.message import SessionMessage
from pydantic import ValidationError

__all__ = ["reject", "stdio_transport"]

ReadStream = MemoryObjectReceiveStream[SessionMessage | Exception]
WriteStream = MemoryObjectSendStream[SessionMessage]


@cache
def _client_methods() -> frozenset[str]:
    """Every request method a client may send, from the SDK's own union."""
    union = types.ClientRequest.model_fields["root"].annotation
    return frozenset(get_args(m.model_fields["method"].annotation)[0] for m in get_args(union))


def _error(request_id: Any, code: int, message: str) -> str:
    # Serialised by hand: the SDK's JSONRPCError does not allow the `null` id a parse error needs.
    body = {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}
    return json.dumps(body)


def reject(line: str) -> types.JSONRPCMessage | str | None:
    """Parse one line: the message, or the error line to send back, or None for a blank line."""
    if not line.strip():
        return None
    try:
        raw = json.loads(line)
    except ValueError as exc:
        return _error(None, types.PARSE_ERROR, f"Parse error: {exc}")
    request_id = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(request_id, str | int) or isinstance(request_id, bool):
        request_id = None
    try:
        message = types.JSONRPCMessage.model_validate(raw)
    except ValidationError:
        return _error(
            request_id, types.INVALID_REQUEST, "Invalid Request: not a JSON-RPC 2.0 message"
        )
    root = message.root
    if isinstance(root, types.JSONRPCRequest) and root.method not in _client_methods():
        return _error(root.id, types.METHOD_NOT_FOUND, f"Method not found: {root.method}")
    return message


@asynccontextmanager
async def stdio_transport() -> AsyncIterator[tuple[ReadStream, WriteStream]]:
    """Streams for the SDK server, fed from stdin and drained to stdout."""
    stdin = anyio.wrap_file(TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace"))
    stdout = anyio.wrap_file(TextIOWrapper(sys.stdout.buffer, encoding="utf-8"))
    read_writer, read_stream = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_stream, write_reader = anyio.create_memory_object_stream[SessionMessage](0)
    out_writer, out_reader = anyio.create_memory_object_stream[str](16)

    async def read_stdin() -> None:
        async with read_writer, out_writer:
            async for line in stdin:
                parsed = reject(line)
                if isinstance(parsed, types.JSONRPCMessage):
                    await read_writer.send(SessionMessage(parsed))
                elif parsed is not None:
                    await out_writer.send(parsed)

    async def forward_responses() -> None:
        async with write_reader:
            async for message in write_reader:
                line = message.message.model_dump_json(by_alias=True, exclude_none=True)
                await out_writer_clone.send(line)

    async def write_stdout() -> None:
        async with out_reader:
            async for line in out_reader:
                await stdout.write(line + "\n")
                await stdout.flush()

    out_writer_clone = out_writer.clone()
    async with anyio.create_task_group() as group:
        group.start_soon(read_stdin)
        group.start_soon(forward_responses)
        group.start_soon(write_stdout)
        try:
            yield read_stream, write_stream
        finally:
            group.cancel_scope.cancel()
