"""A delegation's progress is never silent long enough for a lead to give up on the call."""

from __future__ import annotations

import anyio
import pytest

from baton.errors import BatonError
from baton.gateway.delegation_tools import keep_alive

pytestmark = pytest.mark.anyio
EVERY = 0.05


async def test_a_silent_stage_is_repeated_with_how_long_it_has_lasted() -> None:
    said: list[str] = []

    async def record(message: str) -> None:
        said.append(message)

    async with keep_alive(record, every=EVERY) as relay:
        assert relay is not None
        await relay("gates: running test")
        await anyio.sleep(EVERY * 3.5)

    assert said[0] == "gates: running test"
    beats = said[1:]
    assert len(beats) >= 2  # one at least every EVERY seconds of silence
    assert all(b.startswith("still working, ") for b in beats)
    assert all(b.endswith(" s since: gates: running test") for b in beats)


async def test_a_chatty_stage_gets_no_beats_and_nothing_follows_the_block() -> None:
    said: list[str] = []

    async def record(message: str) -> None:
        said.append(message)

    async with keep_alive(record, every=EVERY * 4) as relay:
        assert relay is not None
        for n in range(6):
            await relay(f"worker: event {n}")
            await anyio.sleep(EVERY)
    await anyio.sleep(EVERY * 6)

    assert said == [f"worker: event {n}" for n in range(6)]


async def test_an_error_in_the_block_comes_out_as_itself() -> None:
    async def record(message: str) -> None:
        pass

    with pytest.raises(BatonError, match="refused"):
        async with keep_alive(record, every=EVERY):
            raise BatonError("refused")


async def test_without_a_progress_token_there_is_nothing_to_keep_alive() -> None:
    async with keep_alive(None) as relay:
        assert relay is None
