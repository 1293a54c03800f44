"""Acceptance checks: each criterion's `check` run in the workspace, outcomes in criteria order."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from baton.delegation.gates import run_checks
from baton.task import Criterion

pytestmark = pytest.mark.anyio

RUN_LIMIT_SEC = 60


async def test_checks_pass_fail_and_time_out_in_criteria_order(
    tmp_path: Path, env: dict[str, str]
) -> None:
    (tmp_path / "VERSION").write_text("1.2.0\n")
    criteria = [
        Criterion(text="the version is 1.2.0", check="grep -qx 1.2.0 VERSION"),
        Criterion(text="a claim only the lead can judge"),
        Criterion(text="the changelog exists", check="cat CHANGELOG.md"),
        Criterion(text="it finishes", check="echo waiting; sleep 60"),
    ]
    lines: list[str] = []

    async def progress(line: str) -> None:
        lines.append(line)

    with anyio.fail_after(RUN_LIMIT_SEC):
        outcomes = await run_checks(
            criteria, tmp_path, env=env, timeout_sec=1.0, on_progress=progress
        )
    assert [(o.text, o.exit_code, o.timed_out) for o in outcomes] == [
        ("the version is 1.2.0", 0, False),
        ("the changelog exists", 1, False),
        ("it finishes", None, True),
    ]
    assert [o.passed for o in outcomes] == [True, False, False]
    assert "CHANGELOG.md: No such file or directory" in outcomes[1].output_tail
    assert outcomes[2].output_tail == "waiting"
    assert lines == [
        "check 'grep -qx 1.2.0 VERSION': passed",
        "check 'cat CHANGELOG.md': failed",
        "check 'echo waiting; sleep 60': timeout",
    ]


async def test_a_check_output_is_redacted(tmp_path: Path, env: dict[str, str]) -> None:
    key = "sk-ant-" + "Zx9" * 10
    criteria = [Criterion(text="prints its key", check=f"echo {key}")]
    with anyio.fail_after(RUN_LIMIT_SEC):
        [outcome] = await run_checks(criteria, tmp_path, env=env)
    assert outcome.output_tail == "[REDACTED by baton: anthropic key]"


async def test_a_check_that_cannot_start_says_so(tmp_path: Path, env: dict[str, str]) -> None:
    criteria = [Criterion(text="t", check="true")]
    with anyio.fail_after(RUN_LIMIT_SEC):
        [outcome] = await run_checks(criteria, tmp_path / "missing", env=env)
    assert (outcome.exit_code, outcome.timed_out, outcome.passed) == (None, False, False)
    assert outcome.output_tail.startswith("cannot start `true` in")


async def test_no_checks_no_outcomes(tmp_path: Path, env: dict[str, str]) -> None:
    assert await run_checks([Criterion(text="judged by the lead")], tmp_path, env=env) == []
