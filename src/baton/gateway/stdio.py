"""The gateway's stdio transport: newline-delimited JSON-RPC on stdin/stdout.

Written here rather than taken from `mcp.server.stdio` because the SDK's reader answers a line
that is not JSON with no response at all, and an unknown method with "invalid params"; a lead
must get the JSON-RPC errors the spec names (-32700, -32600, -32601) and the gateway keep serving.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from functools import cache
from io import TextIOWrapper
from typing import Any, get_args

import anyio
import anyio.from_thread
import anyio.lowlevel
from anyio.lowlevel import EventLoopToken
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp import types
from mcp.shared.message import SessionMessage
from pydantic import ValidationError

__all__ = ["reject", "stdio_transport"]

STDIN_FD = 0
READ_CHUNK_BYTES = 1 << 16
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
    except RecursionError:  # `[[[[…` thousands deep: the decoder recurses once per level
        return _error(None, types.PARSE_ERROR, "Parse error: nested too deeply")
    request_id = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(request_id, str | int) or isinstance(request_id, bool):
        request_id = None
    try:
        message = types.JSONRPCMessage.model_validate(raw)
    except (ValidationError, RecursionError):
        return _error(
            request_id, types.INVALID_REQUEST, "Invalid Request: not a JSON-RPC 2.0 message"
        )
    root = message.root
    if isinstance(root, types.JSONRPCRequest) and root.method not in _client_methods():
        return _error(root.id, types.METHOD_NOT_FOUND, f"Method not found: {root.method}")
    return message


def _stdin_lines() -> Iterator[bytes]:
    """Lines from file descriptor 0, read raw: no `sys.stdin` buffer lock held at shutdown."""
    line = bytearray()  # grows in place: a 50 MB message costs one pass, not one copy per chunk
    while chunk := os.read(STDIN_FD, READ_CHUNK_BYTES):
        start = 0
        while (end := chunk.find(b"\n", start)) != -1:
            line += chunk[start:end]
            yield bytes(line)
            line.clear()
            start = end + 1
        line += chunk[start:]
    if line:
        yield bytes(line)


def _pump_stdin(lines: MemoryObjectSendStream[str], token: EventLoopToken) -> None:
    """Feed stdin lines into the event loop, from a daemon thread.

    A daemon thread, not anyio's worker threads: a read blocked on stdin must not keep the
    process alive once the gateway has shut down on a signal.
    """
    try:
        for raw in _stdin_lines():
            anyio.from_thread.run(lines.send, raw.decode("utf-8", errors="replace"), token=token)
    except (anyio.BrokenResourceError, anyio.ClosedResourceError, RuntimeError, OSError):
        return  # the gateway stopped listening, or its event loop is gone
    finally:
        with contextlib.suppress(RuntimeError):
            anyio.from_thread.run_sync(lines.close, token=token)


@asynccontextmanager
async def stdio_transport() -> AsyncIterator[tuple[ReadStream, WriteStream]]:
    """Streams for the SDK server, fed from stdin and drained to stdout."""
    stdout = anyio.wrap_file(TextIOWrapper(sys.stdout.buffer, encoding="utf-8"))
    lines_writer, lines_reader = anyio.create_memory_object_stream[str](0)
    read_writer, read_stream = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_stream, write_reader = anyio.create_memory_object_stream[SessionMessage](0)
    out_writer, out_reader = anyio.create_memory_object_stream[str](16)
    out_writer_clone = out_writer.clone()
    token = anyio.lowlevel.current_token()
    threading.Thread(
        target=_pump_stdin, args=(lines_writer, token), name="baton-stdin", daemon=True
    ).start()

    async def read_stdin() -> None:
        async with lines_reader, read_writer, out_writer:
            async for line in lines_reader:
                parsed = reject(line)
                if isinstance(parsed, types.JSONRPCMessage):
                    await read_writer.send(SessionMessage(parsed))
                elif parsed is not None:
                    await out_writer.send(parsed)

    async def forward_responses() -> None:
        async with write_reader, out_writer_clone:
            async for message in write_reader:
                line = message.message.model_dump_json(by_alias=True, exclude_none=True)
                await out_writer_clone.send(line)

    async def write_stdout() -> None:
        async with out_reader:
            async for line in out_reader:
                await stdout.write(line + "\n")
                await stdout.flush()

    async with anyio.create_task_group() as group:
        group.start_soon(read_stdin)
        group.start_soon(forward_responses)
        group.start_soon(write_stdout)
        try:
            yield read_stream, write_stream
        finally:
            group.cancel_scope.cancel()
