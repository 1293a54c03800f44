"""Lean MCP clients for the load benchmarks: raw JSON-RPC over stdio or streamable HTTP.

Not the SDK's `ClientSession`: at 16 calls in flight on two cores a client that validates every
message with pydantic competes with the server under test for the CPU and blurs the differences
between servers. These clients send a request as one `json.dumps` and match the answer by id; the
cost is the same for every case, and small.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO

import anyio
import httpx
from anyio.abc import Process, TaskGroup
from mcp.types import LATEST_PROTOCOL_VERSION

__all__ = ["McpClient", "RpcError", "handshake", "http_client", "run_load", "stdio_client"]

CLIENT_INFO = {"name": "baton-bench", "version": "0"}
# The SSE stream of one answer is read whole; nothing the echo server sends comes near this.
READ_CHUNK_BYTES = 1 << 16


class RpcError(RuntimeError):
    """The server answered a request with a JSON-RPC error."""


class McpClient(Protocol):
    """What a load loop needs: one request in, its result out; safe to call concurrently."""

    async def request(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """Send a request and return its `result`; raise `RpcError` on an error answer."""
        ...

    async def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        """Send a notification."""
        ...


async def handshake(client: McpClient) -> dict[str, Any]:
    """`initialize` then `notifications/initialized`, as every MCP client starts."""
    result: dict[str, Any] = await client.request(
        "initialize",
        {"protocolVersion": LATEST_PROTOCOL_VERSION, "capabilities": {}, "clientInfo": CLIENT_INFO},
    )
    await client.notify("notifications/initialized")
    return result


def _result(message: dict[str, Any]) -> Any:
    if "error" in message:
        raise RpcError(json.dumps(message["error"]))
    return message.get("result")


class _Stdio:
    """Newline-delimited JSON-RPC on a child's stdin/stdout; answers matched by id."""

    def __init__(self, process: Process, group: TaskGroup) -> None:
        self._process = process
        self._next_id = 0
        self._waiting: dict[int, tuple[anyio.Event, list[dict[str, Any]]]] = {}
        group.start_soon(self._read)

    async def _read(self) -> None:
        assert self._process.stdout is not None
        buffer = b""
        async for chunk in self._process.stdout:
            *lines, buffer = (buffer + chunk).split(b"\n")
            for line in lines:
                if line.strip():
                    self._deliver(json.loads(line))
        for event, _ in self._waiting.values():  # the server exited: wake every caller
            event.set()

    def _deliver(self, message: dict[str, Any]) -> None:
        waiting = self._waiting.get(message.get("id")) if "method" not in message else None
        if waiting is not None:
            waiting[1].append(message)
            waiting[0].set()

    async def _send(self, message: dict[str, Any]) -> None:
        assert self._process.stdin is not None
        await self._process.stdin.send(json.dumps(message).encode() + b"\n")

    async def request(self, method: str, params: dict[str, Any] | None = None) -> Any:
        self._next_id += 1
        request_id = self._next_id
        event, slot = anyio.Event(), []
        self._waiting[request_id] = (event, slot)
        try:
            await self._send({"jsonrpc": "2.0", "id": request_id, "method": method, **_p(params)})
            await event.wait()
        finally:
            del self._waiting[request_id]
        if not slot:
            raise RpcError(f"the server exited before answering {method}")
        return _result(slot[0])

    async def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        await self._send({"jsonrpc": "2.0", "method": method, **_p(params)})


def _p(params: dict[str, Any] | None) -> dict[str, Any]:
    return {} if params is None else {"params": params}


@contextlib.asynccontextmanager
async def stdio_client(
    command: Sequence[str], *, env: dict[str, str], cwd: Path, errlog: TextIO
) -> AsyncIterator[tuple[McpClient, Process]]:
    """Spawn a stdio server in its own session; leaving closes its stdin (the MCP shutdown)."""
    process = await anyio.open_process(
        list(command),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=errlog,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    async with process, anyio.create_task_group() as group:
        try:
            yield _Stdio(process, group), process
        finally:
            assert process.stdin is not None
            await process.stdin.aclose()
            group.cancel_scope.cancel()


class _Http:
    """Streamable HTTP: one POST per message; JSON or a one-answer SSE stream back."""

    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self._client, self._url = client, url
        self._headers = {
            "Accept": "application/json, text/event-stream",
            "Content-Type": "application/json",
        }
        self._next_id = 0

    async def _post(self, message: dict[str, Any]) -> httpx.Response:
        response = await self._client.post(
            self._url, content=json.dumps(message), headers=self._headers
        )
        response.raise_for_status()
        return response

    async def request(self, method: str, params: dict[str, Any] | None = None) -> Any:
        self._next_id += 1
        request_id = self._next_id
        message = {"jsonrpc": "2.0", "id": request_id, "method": method, **_p(params)}
        response = await self._post(message)
        if session := response.headers.get("mcp-session-id"):
            self._headers["mcp-session-id"] = session
        if method == "initialize":
            version = json.loads(_answer_body(response, request_id))["result"]["protocolVersion"]
            self._headers["mcp-protocol-version"] = version
        return _result(json.loads(_answer_body(response, request_id)))

    async def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        await self._post({"jsonrpc": "2.0", "method": method, **_p(params)})


def _answer_body(response: httpx.Response, request_id: int) -> str:
    """The JSON text of the answer to `request_id`, from a JSON body or an SSE stream."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.text
    for line in response.text.splitlines():
        if line.startswith("data:"):
            data = line[5:].strip()
            if data and json.loads(data).get("id") == request_id:
                return data
    raise RpcError(f"no answer to request {request_id} in the SSE stream")


@contextlib.asynccontextmanager
async def http_client(url: str, *, connections: int = 32) -> AsyncIterator[McpClient]:
    """A client on a streamable HTTP endpoint, pooling up to `connections` keep-alive sockets."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(timeout=60.0, limits=limits) as client:
        http = _Http(client, url)
        try:
            yield http
        finally:
            if "mcp-session-id" in http._headers:
                with contextlib.suppress(httpx.HTTPError):
                    await client.delete(url, headers=http._headers)


async def run_load(
    client: McpClient, tool: str, *, calls: int, concurrency: int, text: str
) -> tuple[list[float], float]:
    """`calls` tools/call of `tool` by `concurrency` workers: each call's ms, and the wall time (s).

    Every answer is checked (not an error, the text echoed) so a gateway that fails fast cannot
    look fast.
    """
    latencies: list[float] = []
    params = {"name": tool, "arguments": {"text": text}}
    remaining = calls

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            start = time.perf_counter()
            result = await client.request("tools/call", params)
            latencies.append((time.perf_counter() - start) * 1000)
            if result.get("isError") or result["content"][0]["text"] != text:
                raise RpcError(f"{tool} answered {json.dumps(result)[:300]}")

    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for _ in range(concurrency):
            group.start_soon(worker)
    return latencies, time.perf_counter() - started
