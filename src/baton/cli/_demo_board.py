"""The live board of `baton demo`: each delegation's stage, from the pipeline's progress."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext

from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from baton.cli._app import stderr

__all__ = ["VERDICT_COLOURS", "Board"]

VERDICT_COLOURS = {"passed": "green", "needs_fix": "yellow", "fallback": "yellow", "blocked": "red"}
# Often enough that the elapsed seconds tick; rarely enough to cost nothing.
REFRESH_PER_SECOND = 8
# A stage longer than this is cut, so the table keeps to one line per delegation.
STAGE_WIDTH = 72


class Board:
    """The live table of the delegations: each one's stage as the pipeline reports it."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.rows = rows
        self.stages = ["waiting"] * len(rows)
        self.attempts = [0] * len(rows)
        self.started: list[float | None] = [None] * len(rows)
        self.finished: list[float | None] = [None] * len(rows)

    def live(self, *, disabled: bool) -> AbstractContextManager[object]:
        """While the block lasts, the board redraws itself on stderr (unless disabled)."""
        if disabled:
            return nullcontext()
        return Live(get_renderable=self.table, console=stderr, transient=True,
                    refresh_per_second=REFRESH_PER_SECOND)  # fmt: skip

    async def update(self, index: int, message: str) -> None:
        """A progress message of delegation `index`."""
        now = time.monotonic()
        if self.started[index] is None:
            self.started[index] = now
        if message.startswith("done: "):
            self.finished[index] = now
        if message.startswith("worker ") and " attempt " in message:
            self.attempts[index] += 1
        self.stages[index] = _stage(message)

    def table(self) -> Table:
        """The board as it stands."""
        table = Table(title="delegating…", title_justify="left")
        for column in ("#", "size", "task", "attempt", "stage", "s"):
            table.add_column(column)
        now = time.monotonic()
        for index, (size, title) in enumerate(self.rows):
            began, ended = self.started[index], self.finished[index]
            elapsed = "" if began is None else f"{(ended or now) - began:.1f}"
            attempt = str(self.attempts[index] or "")
            stage = _stage_text(self.stages[index], began is None)
            table.add_row(str(index + 1), size, escape(title), attempt, stage, elapsed)
        return table


def _stage_text(stage: str, waiting: bool) -> Text:
    if stage.startswith("done: "):
        verdict = stage.removeprefix("done: ")
        return Text(verdict, style=f"bold {VERDICT_COLOURS.get(verdict, 'red')}")
    return Text(stage, style="dim" if waiting else "")


def _stage(message: str) -> str:
    """A pipeline progress message, short enough for the table."""
    if message.startswith("workspace ready"):
        return "isolated workspace ready"
    if message.startswith("check "):
        return "acceptance check: " + message.rsplit(": ", 1)[-1]
    return message if len(message) <= STAGE_WIDTH else message[: STAGE_WIDTH - 1] + "…"
