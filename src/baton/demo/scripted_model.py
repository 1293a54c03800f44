"""A scripted OpenAI Responses API server on 127.0.0.1: the model behind `baton demo` and tests.

It stands in for the model only: the real Codex CLI talks to it as to OpenAI, and then really
runs the tools the script calls (`apply_patch`, `exec_command`) in its workspace. Each POST to
`/v1/responses` is answered with the next turn of a script, streamed as the SSE events the real
API sends (`response.created`, `response.output_item.added` / `.done`,
`response.output_text.delta`, `response.completed`). Every request is recorded, so a test can
assert what Codex sent: its instructions, its tools, the tool outputs of the previous turn.

    script = [turn(shell_call("printf hi > a.txt")), turn(message("done"))]
    with ResponsesServer(script) as server:
        ...  # point Codex at server.base_url
        server.requests[0].body["instructions"]

A request after the script is exhausted gets HTTP 400, so a run fails loudly instead of looping;
a `HANG` turn never answers (until the server stops), for testing timeouts.
`write_codex_home` makes a throwaway `CODEX_HOME` whose config points Codex at the server;
`SCRIPTED_ENV_VARS` are the variables Codex then needs (in a jail too).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = [
    "HANG",
    "SCRIPTED_ENV_VARS",
    "Item",
    "RecordedRequest",
    "ResponsesServer",
    "apply_patch_call",
    "function_call",
    "message",
    "shell_call",
    "turn",
    "write_codex_home",
]

Item = dict[str, Any]
_ids = itertools.count(1)
HANG: list[Item] = [{"type": "hang"}]
# Longest a HANG turn holds its connection when the server is never stopped.
HANG_LIMIT_SEC = 120.0
# What Codex needs from the environment to use the scripted provider `write_codex_home` sets up.
SCRIPTED_ENV_VARS = ("CODEX_HOME", "TMPDIR", "SCRIPTED_API_KEY")


def message(text: str) -> Item:
    """An assistant message output item."""
    return {
        "type": "message",
        "role": "assistant",
        "id": f"msg_{next(_ids)}",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def function_call(name: str, arguments: dict[str, Any]) -> Item:
    """A function (tool) call output item with JSON arguments."""
    n = next(_ids)
    return {
        "type": "function_call",
        "id": f"fc_{n}",
        "call_id": f"call_{n}",
        "name": name,
        "arguments": json.dumps(arguments),
    }


def shell_call(script: str) -> Item:
    """A call of Codex's `exec_command` tool running `script` in the workspace."""
    return function_call("exec_command", {"cmd": script})


def apply_patch_call(patch: str) -> Item:
    """A call of Codex's freeform `apply_patch` tool with a patch in Codex's envelope format."""
    n = next(_ids)
    return {
        "type": "custom_tool_call",
        "id": f"ctc_{n}",
        "call_id": f"call_{n}",
        "name": "apply_patch",
        "input": patch,
    }


def turn(*items: Item) -> list[Item]:
    """One model response: the output items it streams, in order."""
    return list(items)


@dataclass(frozen=True)
class RecordedRequest:
    """One request Codex made: method, path and the JSON body (empty for bodiless requests)."""

    method: str
    path: str
    body: dict[str, Any]

    @property
    def tool_names(self) -> list[str]:
        """Names of the tools offered to the model in this request."""
        return [str(tool.get("name", tool.get("type"))) for tool in self.body.get("tools", [])]

    def input_texts(self, role: str) -> list[str]:
        """Every text span of the input messages with this role (`developer`, `user`, ...)."""
        texts: list[str] = []
        for item in self.body.get("input", []):
            if item.get("type") == "message" and item.get("role") == role:
                texts += [span["text"] for span in item.get("content", []) if "text" in span]
        return texts

    def tool_outputs(self) -> list[str]:
        """The outputs of earlier tool calls that Codex sends back in this request."""
        kinds = ("function_call_output", "custom_tool_call_output")
        return [str(i.get("output")) for i in self.body.get("input", []) if i.get("type") in kinds]


def _sse(event: dict[str, Any]) -> bytes:
    return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()


def _response_events(response_id: str, items: list[Item]) -> Iterator[dict[str, Any]]:
    """The SSE events of one streamed response, in the order the real API sends them."""
    yield {"type": "response.created", "response": {"id": response_id, "status": "in_progress"}}
    for index, item in enumerate(items):
        yield {"type": "response.output_item.added", "output_index": index, "item": item}
        if item["type"] == "message":
            text = "".join(span["text"] for span in item["content"])
            yield {
                "type": "response.output_text.delta",
                "item_id": item["id"],
                "output_index": index,
                "content_index": 0,
                "delta": text,
            }
        yield {"type": "response.output_item.done", "output_index": index, "item": item}
    usage = {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
    yield {
        "type": "response.completed",
        "response": {"id": response_id, "status": "completed", "output": items, "usage": usage},
    }


@dataclass
class _State:
    script: list[list[Item]]
    requests: list[RecordedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def next_turn(self, request: RecordedRequest) -> tuple[int, list[Item] | None]:
        with self.lock:
            self.requests.append(request)
            index = sum(1 for r in self.requests if r.path.endswith("/responses"))
            return index, self.script[index - 1] if index <= len(self.script) else None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the recorded requests are the log."""

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.server.state.requests.append(RecordedRequest("GET", self.path, {}))
        if self.path.split("?")[0].endswith("/models"):
            self._reply(200, {"object": "list", "data": [], "models": []})
        else:
            self._reply(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        request = RecordedRequest("POST", self.path, json.loads(raw or b"{}"))
        if not self.path.split("?")[0].endswith("/responses"):
            self.server.state.requests.append(request)
            self._reply(404, {"error": {"message": f"no route {self.path}"}})
            return
        index, items = self.server.state.next_turn(request)
        if items is None:
            error = {"message": f"script exhausted: request {index} has no turn", "type": "test"}
            self._reply(400, {"error": error})
            return
        if items is HANG:
            self.server.state.stopping.wait(HANG_LIMIT_SEC)
            self.close_connection = True
            return
        body = b"".join(_sse(event) for event in _response_events(f"resp_{index}", items))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: _State) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


class ResponsesServer:
    """The scripted server, running in a background thread while the `with` block lasts."""

    def __init__(self, script: list[list[Item]]) -> None:
        self._state = _State(script=script)
        self._server = _Server(self._state)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The `base_url` for Codex's model provider entry (ends in `/v1`)."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in order."""
        with self._state.lock:
            return list(self._state.requests)

    @property
    def model_requests(self) -> list[RecordedRequest]:
        """Only the POSTs to `/v1/responses`: one per model turn."""
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/responses")]

    def __enter__(self) -> ResponsesServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._state.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def write_codex_home(home: Path, base_url: str, *, model: str = "gpt-5.5") -> dict[str, str]:
    """A throwaway CODEX_HOME using the scripted provider; returns the env vars Codex needs.

    `model` is one Codex has metadata for, so it offers its usual tools (`apply_patch`
    included) without warnings. No retries: a scripted failure should fail the run at once.
    The key is a dummy: the scripted server checks none.
    """
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f"""model = "{model}"
model_provider = "scripted"
check_for_update_on_startup = false

[analytics]
enabled = false

[model_providers.scripted]
name = "scripted"
base_url = "{base_url}"
wire_api = "responses"
env_key = "SCRIPTED_API_KEY"
request_max_retries = 0
stream_max_retries = 0
"""
    )
    # Codex will not put its sandbox helper (for bubblewrap) in a CODEX_HOME under the temporary
    # directory, where tests and the demo keep it; a TMPDIR of its own lifts that.
    (home / "tmp").mkdir(exist_ok=True)
    return {"CODEX_HOME": str(home), "TMPDIR": str(home / "tmp"), "SCRIPTED_API_KEY": "dummy"}
