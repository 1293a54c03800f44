"""A detached run's failures reach the lead as Baton errors, with the child's own words."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.errors import BatonError
from baton.gateway.detached import run_detached

pytestmark = pytest.mark.anyio


async def test_a_task_the_detached_run_rejects_is_an_error_naming_what_is_wrong(
    tmp_path: Path,
) -> None:
    progress: list[str] = []

    async def record(message: str) -> None:
        progress.append(message)

    with pytest.raises(BatonError) as raised:
        await run_detached(
            ["delegate", "-"],
            repo=tmp_path,
            config_file=None,
            stdin_text='{"goal": "x", "scope": ["/etc/passwd"]}',
            on_progress=record,
        )

    assert "scope" in raised.value.message and "/etc/passwd" in raised.value.message
    assert "relative to the repository root" in raised.value.message
    assert progress == []  # nothing ran, so nothing was reported as progress
