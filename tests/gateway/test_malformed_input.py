"""Bad input to `baton serve` over stdio gets JSON-RPC errors, and the gateway keeps serving."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from tests.conftest import fixture_server
from tests.gateway._client import baton_serve, write_config

READ_TIMEOUT_SEC = 30


class RawLead:
    """Speaks newline-delimited JSON-RPC to a `baton serve` process by hand."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        assert process.stdin and process.stdout
        self._in: IO[bytes] = process.stdin
        self._out: IO[bytes] = process.stdout

    def send_line(self, line: bytes) -> None:
        self._in.write(line + b"\n")
        self._in.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_line(json.dumps(message).encode())

    def receive(self) -> dict[str, Any]:
        """The next response (notifications are skipped)."""
        while True:
            line = self._out.readline()
            assert line, f"gateway closed stdout; exit code {self.process.poll()}"
            message = json.loads(line)
            if "id" in message:
                return message

    def request(
        self, request_id: int, method: str, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}})
        return self.receive()


@pytest.fixture
def lead(tmp_path: Path) -> Iterator[RawLead]:
    config = write_config(
        tmp_path / "baton.toml",
        {
            "faulty": {
                "command": fixture_server("faulty.py")[0],
                "args": fixture_server("faulty.py")[1:],
            }
        },
    )
    process = subprocess.Popen(baton_serve(config), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    lead = RawLead(process)
    init = lead.request(
        0,
        "initialize",
        {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"},
        },
    )
    assert init["result"]["serverInfo"]["name"] == "baton"
    lead.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    try:
        yield lead
    finally:
        process.stdin.close()  # type: ignore[union-attr]
        process.wait(timeout=READ_TIMEOUT_SEC)


def still_serving(lead: RawLead, request_id: int) -> None:
    response = lead.request(
        request_id, "tools/call", {"name": "faulty__echo", "arguments": {"message": "ok"}}
    )
    assert response["result"]["content"][0]["text"] == "ok", response


def test_invalid_json_gets_a_parse_error(lead: RawLead) -> None:
    lead.send_line(b'{"jsonrpc": "2.0", "id": 7, "method": ')
    response = lead.receive()
    assert response["id"] is None and response["error"]["code"] == -32700
    still_serving(lead, 8)


def test_not_a_message_gets_invalid_request(lead: RawLead) -> None:
    lead.send({"jsonrpc": "2.0", "id": 9, "result": "no", "error": "both"})
    response = lead.receive()
    assert response["error"]["code"] == -32600 and response["id"] == 9
    still_serving(lead, 10)


def test_unknown_method_gets_method_not_found(lead: RawLead) -> None:
    response = lead.request(11, "tools/frobnicate")
    assert (
        response["error"]["code"] == -32601 and "tools/frobnicate" in response["error"]["message"]
    )
    still_serving(lead, 12)


def test_wrong_params_get_invalid_params(lead: RawLead) -> None:
    response = lead.request(13, "tools/call", {"arguments": {"message": "no name"}})
    assert response["error"]["code"] == -32602
    still_serving(lead, 14)


def test_unknown_tool_gets_an_error_naming_it(lead: RawLead) -> None:
    response = lead.request(15, "tools/call", {"name": "faulty__nope", "arguments": {}})
    assert response["error"]["code"] == -32602 and "faulty__nope" in response["error"]["message"]
    still_serving(lead, 16)


def test_a_ten_megabyte_argument_round_trips(lead: RawLead) -> None:
    big = "x" * (10 * 1024 * 1024)
    response = lead.request(
        17, "tools/call", {"name": "faulty__echo", "arguments": {"message": big}}
    )
    assert response["result"]["content"][0]["text"] == big
    still_serving(lead, 18)
