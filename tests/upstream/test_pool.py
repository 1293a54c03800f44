"""The pool: config order, concurrent starts, shared starts, and no process left behind."""

from __future__ import annotations

import sys

import anyio
import pytest

from baton.errors import UpstreamStartError
from baton.upstream import UpstreamHooks, UpstreamPool
from tests.upstream._support import FAULTY, LogWatch, alive, descendants, faulty, text_of

pytestmark = pytest.mark.anyio

# Closing waits at most GRACEFUL_EXIT_SEC + TERMINATE_GRACE_SEC per server; this covers it.
CLOSE_BOUND_SEC = 10


def test_the_pool_holds_enabled_servers_in_config_order() -> None:
    servers = {"b": faulty(), "off": faulty(enabled=False), "a": faulty()}
    pool = UpstreamPool(servers)
    assert (list(pool), len(pool), "a" in pool, "off" in pool) == (["b", "a"], 2, True, False)
    with pytest.raises(KeyError, match="known: b, a"):
        pool["off"]


async def test_an_upstream_used_outside_an_entered_pool_says_so() -> None:
    pool = UpstreamPool({"faulty": faulty()})
    with pytest.raises(RuntimeError, match="outside an entered UpstreamPool"):
        await pool["faulty"].start()


async def test_ten_stdio_servers_start_concurrently() -> None:
    servers = {f"s{i}": faulty() for i in range(10)}
    async with UpstreamPool(servers) as pool:
        began = anyio.current_time()
        with anyio.fail_after(60):
            results = await pool.start_all()
        elapsed_ms = (anyio.current_time() - began) * 1000
        assert results == dict.fromkeys(servers)
        assert all(pool[name].state == "ready" for name in pool)
        startups = [pool[name].startup_ms or 0 for name in pool]
    # One after the other, the elapsed time would be the sum of the start-ups.
    assert elapsed_ms < 0.5 * sum(startups)


async def test_start_all_reports_each_failure_without_raising() -> None:
    servers = {"good": faulty(), "missing": faulty(command="baton-no-such-command")}
    async with UpstreamPool(servers) as pool:
        with anyio.fail_after(30):
            results = await pool.start_all()
    assert results["good"] is None
    assert isinstance(results["missing"], UpstreamStartError)


async def test_concurrent_first_calls_share_one_start() -> None:
    async with UpstreamPool({"faulty": faulty()}) as pool:
        answers: list[str] = []

        async def echo(i: int) -> None:
            answers.append(text_of(await pool["faulty"].call_tool("echo", {"message": str(i)})))

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                for i in range(5):
                    group.start_soon(echo, i)
        servers = [p for p in descendants() if str(FAULTY) in " ".join(p.cmdline())]
    assert sorted(answers) == ["0", "1", "2", "3", "4"]
    assert len(servers) == 1


async def test_closing_the_pool_ends_every_server_and_its_children() -> None:
    # The server leaves a child behind that holds its stdout: the orphan case of `npx` wrappers.
    spawner = faulty(command="sh", args=["-c", f"sleep 600 & exec {sys.executable} {FAULTY}"])
    servers = {"spawner": spawner, "plain": faulty(), "idle": faulty()}
    before = {p.pid for p in descendants()}
    async with UpstreamPool(servers) as pool:
        with anyio.fail_after(30):
            assert await pool.start_all(["spawner", "plain"]) == {"spawner": None, "plain": None}
        ours = [p for p in descendants() if p.pid not in before]
        names = sorted(p.name() for p in ours)
        assert "sleep" in names and len(ours) >= 3
        began = anyio.current_time()
    assert anyio.current_time() - began < CLOSE_BOUND_SEC
    assert [p for p in ours if alive(p)] == []  # closing returns only once they are gone
    assert all(pool[name].state == "closed" for name in pool)


async def test_closing_the_pool_while_a_call_is_in_flight_fails_that_call() -> None:
    errors: list[BaseException] = []
    watch = LogWatch()
    async with UpstreamPool({"faulty": faulty()}, UpstreamHooks(on_log=watch.on_log)) as pool:

        async def hang() -> None:
            try:
                await pool["faulty"].call_tool("hang", {})
            except Exception as exc:
                errors.append(exc)

        async with anyio.create_task_group() as group:
            group.start_soon(hang)
            with anyio.fail_after(CLOSE_BOUND_SEC):
                await watch.seen("hang started")
                await pool["faulty"].close()
    assert len(errors) == 1 and "closed while tool 'hang' was in flight" in str(errors[0])
