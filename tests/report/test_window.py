"""`--since` / `--until`: durations back from now or ISO times; anything else is a usage error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from baton.errors import UsageError
from baton.report import parse_moment, window

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("7d", datetime(2026, 11, 15, 12, 0, tzinfo=UTC)),
        ("24h", datetime(2026, 11, 21, 12, 0, tzinfo=UTC)),
        ("30m", datetime(2026, 11, 22, 11, 30, tzinfo=UTC)),
        (" 2D ", datetime(2026, 11, 20, 12, 0, tzinfo=UTC)),
        ("2026-11-20", datetime(2026, 11, 20, tzinfo=UTC)),  # no offset: UTC
        ("2026-11-20T09:30", datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
        ("2026-11-20T09:30Z", datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
        ("2026-11-20T18:30+09:00", datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
    ],
)
def test_accepted_forms(text: str, moment: datetime) -> None:
    assert parse_moment(text, now=NOW) == moment


@pytest.mark.parametrize("text", ["7x", "", "yesterday", "-1d", "1.5h", "7 days", "2026-13-01"])
def test_anything_else_is_a_usage_error_naming_it_and_the_forms(text: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_moment(text, now=NOW, option="--until")
    assert raised.value.exit_code == 2
    assert f"--until {text!r}" in raised.value.message
    assert all(form in raised.value.message for form in ("7d", "24h", "30m", "ISO"))


def test_the_window_is_ledger_stamps_and_refuses_to_be_reversed() -> None:
    assert window("1d", None, now=NOW) == ("2026-11-21T12:00:00.000Z", None)
    assert window(None, "2026-11-22", now=NOW) == (None, "2026-11-22T00:00:00.000Z")
    assert window(None, None, now=NOW) == (None, None)
    with pytest.raises(UsageError, match="not before --until"):
        window("1h", "2d", now=NOW)
