"""A lead's `notifications/cancelled` travels through the gateway to the upstream doing the work."""

from __future__ import annotations

import json
from typing import Any

from tests.gateway.test_malformed_input import RawLead, lead, still_serving

__all__ = ["lead"]  # the fixture, shared with the malformed-input tests


def next_log(raw: RawLead, containing: str) -> dict[str, Any]:
    """Read messages until a forwarded log notification containing `containing` arrives."""
    while True:
        line = raw.process.stdout.readline()  # type: ignore[union-attr]
        assert line, "gateway closed stdout"
        message = json.loads(line)
        if message.get("method") == "notifications/message" and containing in str(message):
            return message


def test_cancelling_a_call_cancels_it_upstream_and_the_gateway_keeps_serving(lead: RawLead) -> None:
    lead.send(
        {
            "jsonrpc": "2.0",
            "id": 40,
            "method": "tools/call",
            "params": {"name": "faulty__hang", "arguments": {}},
        }
    )
    started = next_log(lead, "hang started")
    lead.send(
        {
            "jsonrpc": "2.0",
            "method": "notifications/cancelled",
            "params": {"requestId": 40, "reason": "the lead changed its mind"},
        }
    )
    cancelled = next_log(lead, "hang cancelled")
    assert started["params"]["logger"].startswith("faulty")
    assert started["params"]["data"].split()[-1] == cancelled["params"]["data"].split()[-1]
    still_serving(lead, 41)
