"""The report's time window: `--since` / `--until` as a duration back from now or an ISO time."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from baton.errors import UsageError
from baton.ledger import parse_utc, utc_stamp

__all__ = ["ACCEPTED", "parse_moment", "window"]

ACCEPTED = (
    "a duration back from now (7d, 24h, 30m) or an ISO date or time "
    "(2026-11-22, 2026-11-22T09:00, 2026-11-22T09:00+09:00; UTC unless an offset is given)"
)
_DURATION = re.compile(r"(\d+)\s*([dhm])", re.IGNORECASE)
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_moment(text: str, *, now: datetime, option: str = "--since") -> datetime:
    """`7d`, `24h`, `30m` before `now`, or an ISO date/time; else `UsageError` naming `text`."""
    spelled = text.strip()
    duration = _DURATION.fullmatch(spelled)
    if duration:
        return now - timedelta(**{_UNITS[duration[2].lower()]: int(duration[1])})
    try:
        return parse_utc(spelled)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a time: use {ACCEPTED}",
            hint=f"e.g. `baton report {option} 7d`",
        ) from None


def window(since: str | None, until: str | None, *, now: datetime) -> tuple[str | None, str | None]:
    """`--since` and `--until` as ledger stamps (None: open); `UsageError` if they are reversed."""
    start = parse_moment(since, now=now) if since is not None else None
    end = parse_moment(until, now=now, option="--until") if until is not None else None
    if start is not None and end is not None and start >= end:
        raise UsageError(
            f"--since {since!r} is not before --until {until!r}: the window is empty",
            hint="give --since an earlier time than --until",
        )
    return (utc_stamp(start) if start else None), (utc_stamp(end) if end else None)
