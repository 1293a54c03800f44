"""A live `baton serve` fed made-up JSON-RPC: it never crashes, never hangs, keeps answering.

Short in CI (a few hundred lines, fixed seed); `BATON_FUZZ=long` sends twenty thousand.
"""

from __future__ import annotations

import json
import os
import random
import select
from collections.abc import Iterator

from tests.gateway.test_malformed_input import RawLead, lead

__all__ = ["lead"]

LINES = 20_000 if os.environ.get("BATON_FUZZ") == "long" else 400
BATCH = 50
METHODS = [
    "initialize",
    "tools/list",
    "tools/call",
    "resources/read",
    "prompts/get",
    "ping",
    "completion/complete",
    "logging/setLevel",
    "notifications/cancelled",
    "x/y",
    "",
]


def made_up_lines(rng: random.Random) -> Iterator[bytes]:
    """Lines of every kind a confused or hostile client might send."""
    while True:
        kind = rng.randrange(6)
        if kind == 0:
            yield bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80))).replace(
                b"\n", b" "
            )
        elif kind == 1:
            text = json.dumps(
                {"jsonrpc": "2.0", "id": rng.randrange(10**6), "method": "tools/call"}
            )
            yield text[: rng.randrange(1, len(text))].encode()
        elif kind == 2:
            params = {
                "name": rng.choice(["faulty__echo", "faulty__nope", "", 5, None]),
                "arguments": rng.choice(
                    [{}, {"message": "x" * rng.randrange(0, 5000)}, [], "s", None]
                ),
            }
            yield json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": rng.choice([rng.randrange(10**6), "s", None, True, 1.5]),
                    "method": rng.choice(METHODS),
                    "params": params,
                }
            ).encode()
        elif kind == 3:
            yield ("[" * rng.randrange(1, 3000) + "]" * rng.randrange(0, 3000)).encode()
        elif kind == 4:
            yield json.dumps(
                {
                    "jsonrpc": rng.choice(["2.0", "1.0", None]),
                    "id": 10**30,
                    "method": rng.choice(METHODS),
                    "params": rng.choice([[], 3, "x", {}]),
                }
            ).encode()
        else:
            yield json.dumps(rng.choice([[], {}, None, 0, "", [1, 2], {"id": 1}])).encode()


def drain(raw: RawLead) -> None:
    """Read whatever the gateway has answered so far, without waiting for more."""
    stdout = raw.process.stdout
    assert stdout is not None
    while select.select([stdout], [], [], 0.2)[0]:
        if not stdout.readline():
            return


def test_the_gateway_survives_made_up_input(lead: RawLead) -> None:
    rng = random.Random(20261122)
    lines = made_up_lines(rng)
    for batch in range(LINES // BATCH):
        for _ in range(BATCH):
            lead.send_line(next(lines))
        drain(lead)
        assert lead.process.poll() is None, f"gateway exited during batch {batch}"
        check_id = 10**9 + batch
        response = lead.request(
            check_id,
            "tools/call",
            {"name": "faulty__echo", "arguments": {"message": f"alive {batch}"}},
        )
        while response.get("id") != check_id:
            response = lead.receive()
        assert response["result"]["content"][0]["text"] == f"alive {batch}"
