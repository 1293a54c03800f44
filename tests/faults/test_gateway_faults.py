"""Faults from upstreams and leads, each counted: after every one the gateway still serves,
no call is lost, and no process is left behind."""

from __future__ import annotations

import contextlib
import ctypes
import subprocess
from collections.abc import Iterator
from pathlib import Path

import anyio
import psutil
import pytest
from mcp import ClientSession, types

from tests.conftest import fixture_server
from tests.gateway._client import baton_serve, session_on, write_config
from tests.gateway.test_malformed_input import RawLead

pytestmark = pytest.mark.anyio

FAULTY = fixture_server("faulty.py")
PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>
# How long a process Baton started may take to exit once Baton did.
ORPHAN_EXIT_SEC = 15


def text_of(result: types.CallToolResult) -> str:
    return "".join(block.text for block in result.content if isinstance(block, types.TextContent))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    entry = {"command": FAULTY[0], "args": FAULTY[1:], "tool_timeout_sec": 120}
    return write_config(tmp_path / "baton.toml", {f"s{n}": entry for n in range(5)})


def adopt_orphans(adopt: bool) -> None:
    """Make this process a child subreaper (prctl(2)), or stop being one.

    A process whose parent exits is then re-parented here rather than to init, so an upstream
    that Baton left running is still found among this process's children.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, int(adopt), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def describe(process: psutil.Process) -> str:
    with contextlib.suppress(psutil.Error):
        return f"{process.pid} {' '.join(process.cmdline())}"
    return str(process.pid)


def running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def no_orphans() -> Iterator[None]:
    """After the test, no process this test started is still alive, even one Baton left."""
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    adopt_orphans(True)
    left: list[psutil.Process] = []
    named: list[str] = []
    try:
        yield
        new = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
        _, alive = psutil.wait_procs(new, timeout=ORPHAN_EXIT_SEC)  # also reaps the adopted
        left = [p for p in alive if running(p)]
        named = [describe(p) for p in left]
    finally:
        for process in left:  # not to leak into the next test
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        psutil.wait_procs(left, timeout=ORPHAN_EXIT_SEC)
        adopt_orphans(False)
    assert not left, f"processes left behind: {named}"


async def still_serves(lead: ClientSession) -> None:
    assert text_of(await lead.call_tool("s0__echo", {"message": "still here"})) == "still here"


async def test_an_upstream_writing_garbage_to_stdout(config: Path, no_orphans: None) -> None:
    with anyio.fail_after(60):
        async with session_on(baton_serve(config)) as lead:
            result = await lead.call_tool("s1__garbage", {"lines": 20})
            after = await lead.call_tool("s1__echo", {"message": "same upstream"})
            await still_serves(lead)
    assert text_of(after) == "same upstream"
    assert text_of(result) == "survived"  # the garbage lines are dropped; the call's answer arrives


async def test_an_upstream_flooding_notifications(config: Path, no_orphans: None) -> None:
    received = 0

    async def count(params: types.LoggingMessageNotificationParams) -> None:
        nonlocal received
        received += 1

    with anyio.fail_after(120):
        async with session_on(baton_serve(config), logging_callback=count) as lead:
            result = await lead.call_tool("s2__flood", {"count": 5000})
            await still_serves(lead)
    assert text_of(result) == "sent 5000"
    assert received == 5000  # every one forwarded, none lost


def test_fifty_megabyte_messages_both_ways(config: Path, no_orphans: None) -> None:
    # A raw line client: the SDK's own stdio_client re-joins its buffer per chunk (quadratic).
    payload = "z" * (50 * 1024 * 1024)
    lead = started(config)
    echoed = lead.request(1, "tools/call", {"name": "s3__echo", "arguments": {"message": payload}})
    large = lead.request(2, "tools/call", {"name": "s3__big", "arguments": {"megabytes": 50}})
    assert echoed["result"]["content"][0]["text"] == payload
    assert len(large["result"]["content"][0]["text"]) == 50 * 1024 * 1024
    finish(lead)


async def test_two_hundred_concurrent_calls_across_five_upstreams(
    config: Path, no_orphans: None
) -> None:
    answers: dict[int, str] = {}

    async def call(lead: ClientSession, number: int) -> None:
        result = await lead.call_tool(f"s{number % 5}__echo", {"message": f"call {number}"})
        answers[number] = text_of(result)

    with anyio.fail_after(120):
        async with session_on(baton_serve(config)) as lead:
            async with anyio.create_task_group() as group:
                for number in range(200):
                    group.start_soon(call, lead, number)
            await still_serves(lead)
    lost = [n for n in range(200) if answers.get(n) != f"call {n}"]
    assert lost == []


def started(config: Path) -> RawLead:
    """A `baton serve` process, initialized, spoken to line by line."""
    process = subprocess.Popen(baton_serve(config), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    lead = RawLead(process)
    lead.request(
        0,
        "initialize",
        {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "raw", "version": "0"},
        },
    )
    lead.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    return lead


def finish(lead: RawLead) -> None:
    """Check the gateway still answers, then close it and expect a clean exit."""
    check = lead.request(999, "tools/call", {"name": "s0__echo", "arguments": {"message": "ok"}})
    assert check["result"]["content"][0]["text"] == "ok"
    assert lead.process.stdin is not None
    lead.process.stdin.close()
    assert lead.process.wait(timeout=60) == 0


def test_a_lead_that_reads_slowly(config: Path, no_orphans: None) -> None:
    """200 one-megabyte answers queued while the lead reads nothing; then all of them arrive."""
    lead = started(config)
    for number in range(1, 201):
        lead.send(
            {
                "jsonrpc": "2.0",
                "id": number,
                "method": "tools/call",
                "params": {"name": f"s{number % 5}__big", "arguments": {"megabytes": 1}},
            }
        )
    answered = {}
    for _ in range(200):
        response = lead.receive()
        answered[response["id"]] = len(response["result"]["content"][0]["text"])
    assert answered == {number: 1024 * 1024 for number in range(1, 201)}
    finish(lead)
