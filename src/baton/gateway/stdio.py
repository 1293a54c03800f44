"""The gateway's stdio transport: newline-delimited JSON-RPC on stdin/stdout.

Written here rather than taken from `mcp.server.stdio` because the SDK's reader answers a line
that is not JSON with no response at all, and an unknown method with "invalid params"; a lead
must get the JSON-RPC errors the spec names (-32700, -32600, -32601) and the gateway keep serving.

It is also on every call's path, so it adds no task or thread between the session and the file
descriptors: when stdin and stdout are pipes or sockets (how a lead runs the gateway), the session
reads and parses lines in its own receive loop and each answer is written by the task that sends
it, both on the event loop. The SDK's transport hands every line to a worker thread and back,
which cost more CPU per call than the rest of the gateway.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import stat
import sys
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from contextlib import asynccontextmanager
from functools import cache
from typing import Any, cast, get_args

import anyio
import anyio.from_thread
import anyio.lowlevel
from anyio.abc import ObjectReceiveStream, ObjectSendStream
from anyio.lowlevel import EventLoopToken
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp import types
from mcp.shared.message import SessionMessage
from pydantic import ValidationError

__all__ = ["reject", "stdio_transport"]

STDIN_FD, STDOUT_FD = 0, 1
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
    try:  # the usual case, a valid message, in one pass; errors are told apart below
        message = types.JSONRPCMessage.model_validate_json(line)
    except ValidationError:
        return _rejected(line)
    root = message.root
    if isinstance(root, types.JSONRPCRequest) and root.method not in _client_methods():
        return _error(root.id, types.METHOD_NOT_FOUND, f"Method not found: {root.method}")
    if isinstance(root, types.JSONRPCNotification) and "id" in (root.model_extra or {}):
        # A request whose id is not a string or an integer (1.5, true, null): the SDK reads it
        # as a notification and nobody would ever answer; MCP says it is an invalid request.
        return _error(None, types.INVALID_REQUEST, "Invalid Request: an id must be a string or int")
    return message


def _rejected(line: str) -> str:
    """The error line for a line that is not a JSON-RPC message: a parse error or invalid."""
    try:
        raw = json.loads(line)
    except ValueError as exc:
        return _error(None, types.PARSE_ERROR, f"Parse error: {exc}")
    except RecursionError:  # `[[[[…` thousands deep: the decoder recurses once per level
        return _error(None, types.PARSE_ERROR, "Parse error: nested too deeply")
    request_id = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(request_id, str | int) or isinstance(request_id, bool):
        request_id = None
    return _error(request_id, types.INVALID_REQUEST, "Invalid Request: not a JSON-RPC 2.0 message")


def _split_lines(line: bytearray, chunk: bytes) -> Iterator[bytes]:
    """Complete lines of `line` + `chunk`; the unfinished rest stays in `line`, grown in place.

    In place, so a 50 MB message costs one pass over its chunks, not one copy per chunk.
    """
    start = 0
    while (end := chunk.find(b"\n", start)) != -1:
        line += chunk[start:end]
        yield bytes(line)
        line.clear()
        start = end + 1
    line += chunk[start:]


def _stdin_lines() -> Iterator[bytes]:
    """Lines from file descriptor 0, read raw: no `sys.stdin` buffer lock held at shutdown."""
    line = bytearray()
    while chunk := os.read(STDIN_FD, READ_CHUNK_BYTES):
        yield from _split_lines(line, chunk)
    if line:
        yield bytes(line)


def _pump_stdin(lines: MemoryObjectSendStream[str], token: EventLoopToken) -> None:
    """Feed stdin lines into the event loop, from a daemon thread (stdin not a pipe or socket).

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


def _pollable(fd: int) -> bool:
    """Whether the event loop can wait on `fd`: a pipe or a socket (not a file or a terminal)."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


async def _polled_lines(fd: int) -> AsyncGenerator[str, None]:
    """Lines of a pipe or socket, read on the event loop: no thread hop per message."""
    line = bytearray()
    while True:
        await anyio.wait_readable(fd)
        chunk = os.read(fd, READ_CHUNK_BYTES)  # readable: returns what is there without blocking
        if not chunk:
            break
        for raw in _split_lines(line, chunk):
            yield raw.decode("utf-8", errors="replace")
    if line:
        yield bytes(line).decode("utf-8", errors="replace")


@asynccontextmanager
async def _threaded_lines() -> AsyncIterator[AsyncIterator[str]]:
    """Lines of any other stdin (a file, a terminal), read by a daemon thread."""
    writer, reader = anyio.create_memory_object_stream[str](0)
    token = anyio.lowlevel.current_token()
    threading.Thread(
        target=_pump_stdin, args=(writer, token), name="baton-stdin", daemon=True
    ).start()
    async with reader:
        yield reader


def _writable_now(fd: int) -> bool:
    return bool(select.select([], [fd], [], 0)[1])


def _write_blocking(data: bytes) -> None:
    stdout = sys.stdout.buffer
    stdout.write(data)
    stdout.flush()


class _Stdout:
    """Whole lines to stdout, one writer at a time, from whichever task has a line to send.

    On a pipe or socket the write happens on the event loop: writable means room for at least
    `PIPE_BUF` bytes (a pipe) or more (a socket's buffer), so a write of at most that never
    blocks, and the usual case, room at once, costs no loop iteration at all. Anything else (a
    file, a terminal) is written from a worker thread, as the SDK's own stdio transport does.
    """

    def __init__(self) -> None:
        self._polled = _pollable(STDOUT_FD)
        self._busy: anyio.Event | None = None  # set while a line waits for room: the rest queue

    async def write_line(self, line: str) -> None:
        """Write `line` and a newline, never interleaved with another line."""
        data = (line + "\n").encode()
        while self._busy is not None:
            await self._busy.wait()
        if self._polled and len(data) <= select.PIPE_BUF and _writable_now(STDOUT_FD):
            data = data[os.write(STDOUT_FD, data) :]
            if not data:
                return
        self._busy = busy = anyio.Event()
        try:
            if self._polled:
                await self._write_polled(data)
            else:
                await anyio.to_thread.run_sync(_write_blocking, data)
        finally:
            self._busy = None
            busy.set()

    @staticmethod
    async def _write_polled(data: bytes) -> None:
        view = memoryview(data)
        while view:
            if not _writable_now(STDOUT_FD):
                await anyio.wait_writable(STDOUT_FD)
            view = view[os.write(STDOUT_FD, view[: select.PIPE_BUF]) :]


class _Outgoing(ObjectSendStream[SessionMessage]):
    """The SDK's write stream: each message written by the task that sends it (no writer task)."""

    def __init__(self, stdout: _Stdout) -> None:
        self._stdout = stdout
        self._closed = False

    async def send(self, item: SessionMessage) -> None:
        """Serialize one message onto stdout."""
        if self._closed:
            raise anyio.ClosedResourceError
        await self._stdout.write_line(
            item.message.model_dump_json(by_alias=True, exclude_none=True)
        )

    async def aclose(self) -> None:
        """Refuse further messages."""
        self._closed = True


class _Incoming(ObjectReceiveStream[SessionMessage | Exception]):
    """The SDK's read stream: lines parsed as the session asks; bad lines answered on the spot."""

    def __init__(self, lines: AsyncIterator[str], stdout: _Stdout) -> None:
        self._lines, self._stdout = lines, stdout
        self._closed = False

    async def receive(self) -> SessionMessage | Exception:
        """The next valid message; `EndOfStream` when stdin closes."""
        while not self._closed:
            try:
                line = await anext(self._lines)
            except StopAsyncIteration:
                raise anyio.EndOfStream from None
            parsed = reject(line)
            if isinstance(parsed, types.JSONRPCMessage):
                return SessionMessage(parsed)
            if parsed is not None:
                await self._stdout.write_line(parsed)
        raise anyio.ClosedResourceError

    async def aclose(self) -> None:
        """Stop reading (the line source is closed by `stdio_transport`)."""
        self._closed = True


@asynccontextmanager
async def stdio_transport() -> AsyncIterator[tuple[ReadStream, WriteStream]]:
    """Streams for the SDK server, read from stdin and written to stdout by the session's tasks.

    On pipes and sockets (how a lead runs the gateway) both ends are served on the event loop,
    with no task or thread between the session and the file descriptors; stdin of another kind
    is read by a daemon thread.
    """
    stdout = _Stdout()
    async with contextlib.AsyncExitStack() as stack:
        if _pollable(STDIN_FD):
            polled = contextlib.aclosing(_polled_lines(STDIN_FD))
            lines: AsyncIterator[str] = await stack.enter_async_context(polled)
        else:
            lines = await stack.enter_async_context(_threaded_lines())
        # The SDK only receives, sends and closes: typed as the memory streams it asks for.
        yield cast(ReadStream, _Incoming(lines, stdout)), cast(WriteStream, _Outgoing(stdout))
