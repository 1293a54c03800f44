"""A broken upstream costs its own call: crashes, hangs, cancellation, failed starts."""

from __future__ import annotations

import sys

import anyio
import pytest

from baton.errors import UpstreamConfigError, UpstreamCrashed, UpstreamStartError, UpstreamTimeout
from baton.upstream import UpstreamHooks, UpstreamPool
from tests.upstream._support import LogWatch, faulty, text_of

pytestmark = pytest.mark.anyio


async def test_a_crash_mid_call_fails_that_call_quickly_and_the_next_call_restarts_it() -> None:
    async with UpstreamPool({"faulty": faulty(tool_timeout_sec=60)}) as pool:
        upstream = pool["faulty"]
        with anyio.fail_after(15), pytest.raises(UpstreamCrashed) as crashed:
            await upstream.call_tool("crash", {})
        assert "upstream 'faulty'" in str(crashed.value)
        assert "tool 'crash'" in str(crashed.value) and "code 3" in str(crashed.value)
        assert upstream.state == "failed"
        with anyio.fail_after(30):
            assert text_of(await upstream.call_tool("echo", {"message": "back"})) == "back"
        assert upstream.state == "ready"


async def test_a_hang_times_out_after_tool_timeout_sec_and_is_cancelled_upstream() -> None:
    watch = LogWatch()
    hooks = UpstreamHooks(on_log=watch.on_log)
    async with UpstreamPool({"faulty": faulty(tool_timeout_sec=1)}, hooks) as pool:
        upstream = pool["faulty"]
        await upstream.start()
        with anyio.fail_after(10), pytest.raises(UpstreamTimeout) as timed_out:
            await upstream.call_tool("hang", {})
        message, hint = str(timed_out.value), timed_out.value.hint or ""
        assert "upstream 'faulty'" in message and "tool 'hang'" in message and "1s" in message
        assert "tool_timeout_sec" in hint
        with anyio.fail_after(10):
            started = await watch.seen("hang started")
            cancelled = await watch.seen("hang cancelled")
        assert started.split()[-1] == cancelled.split()[-1]  # the same request id
        with anyio.fail_after(10):
            assert text_of(await upstream.call_tool("echo", {"message": "still"})) == "still"


async def test_a_cancelled_caller_sends_notifications_cancelled_with_the_request_id() -> None:
    watch = LogWatch()
    async with UpstreamPool({"faulty": faulty()}, UpstreamHooks(on_log=watch.on_log)) as pool:
        upstream = pool["faulty"]
        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                group.start_soon(upstream.call_tool, "hang", {})
                started = await watch.seen("hang started")
                group.cancel_scope.cancel()  # the lead gave up on its call
            cancelled = await watch.seen("hang cancelled")
        assert started == "hang started: request 1"  # 0 was initialize
        assert cancelled == "hang cancelled: request 1"
        with anyio.fail_after(10):
            assert text_of(await upstream.call_tool("echo", {"message": "ok"})) == "ok"


async def test_start_up_is_bounded_by_startup_timeout_sec() -> None:
    sleeper = faulty(args=["-c", "import time; time.sleep(60)"], startup_timeout_sec=1)
    async with UpstreamPool({"sleeper": sleeper}) as pool:
        with anyio.fail_after(8), pytest.raises(UpstreamTimeout) as timed_out:
            await pool["sleeper"].start()
        assert pool["sleeper"].state == "failed"
        assert pool["sleeper"].last_error is timed_out.value
    assert "within 1s" in str(timed_out.value)
    assert "startup_timeout_sec" in (timed_out.value.hint or "")
    assert "(now 1)" in (timed_out.value.hint or "")


async def test_command_not_found_names_it_and_hints_at_path() -> None:
    missing = faulty(command="baton-no-such-command", args=[])
    async with UpstreamPool({"missing": missing}) as pool:
        with anyio.fail_after(10), pytest.raises(UpstreamStartError) as failed:
            await pool["missing"].start()
    assert "command not found: baton-no-such-command" in str(failed.value)
    assert "PATH" in (failed.value.hint or "")


async def test_a_server_that_exits_during_start_up_reports_its_code_and_stderr() -> None:
    script = "import sys; print('no API key configured', file=sys.stderr); sys.exit(2)"
    async with UpstreamPool({"quitter": faulty(args=["-c", script])}) as pool:
        with anyio.fail_after(10), pytest.raises(UpstreamStartError) as failed:
            await pool["quitter"].start()
    assert "code 2" in str(failed.value) and "no API key configured" in str(failed.value)


async def test_an_unset_variable_in_args_is_a_config_error_naming_it() -> None:
    config = faulty(args=[sys.argv[0], "${BATON_TEST_UNSET_VAR}"])
    async with UpstreamPool({"faulty": config}, environ={}) as pool:
        with anyio.fail_after(10), pytest.raises(UpstreamConfigError) as failed:
            await pool["faulty"].start()
    assert "BATON_TEST_UNSET_VAR" in str(failed.value) and "upstream 'faulty'" in str(failed.value)
    assert "export BATON_TEST_UNSET_VAR=" in (failed.value.hint or "")


async def test_a_failed_start_is_retried_on_next_use() -> None:
    async with UpstreamPool({"missing": faulty(command="baton-no-such-command")}) as pool:
        for _ in range(2):
            with anyio.fail_after(10), pytest.raises(UpstreamStartError):
                await pool["missing"].call_tool("echo", {"message": "x"})
