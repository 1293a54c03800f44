"""The report for a terminal: the seed's table (metric | target | result | met), then breakdowns."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from baton.report import _format
from baton.report.metrics import Metric, Report, ScopeReport

__all__ = ["render_table", "show_report"]

_STYLES = {True: "green", False: "red", None: "dim"}
# Column headings of the breakdown tables, narrow enough for an 80-column terminal.
_SHORT = {
    "gate_pass_rate": "gates passed",
    "fallback_rate": "fallback",
    "mean_retries": "retries",
    "completion": "completion",
}


def render_table(report: Report) -> RenderableType:
    """The whole report as rich tables: overall like the seed's, then per worker and per kind."""
    parts: list[RenderableType] = [Text(_headline(report)), _overall(report.overall)]
    for title, scopes in (("worker", report.by_worker), ("task kind", report.by_kind)):
        if scopes:
            parts.append(_breakdown(title, scopes))
    return Group(*parts)


def show_report(report: Report) -> None:
    """Print the report's tables on stdout."""
    Console().print(render_table(report))


def _headline(report: Report) -> str:
    overall = report.overall
    kept = ", ".join(f"{count} {verdict}" for verdict, count in report.not_delegated.items())
    window = f"since {report.since or 'the first run'} until {report.until or 'now'}"
    return (
        f"{report.runs} runs {window}: {overall.delegated} delegated "
        f"({overall.finished} finished, {overall.running} running); not delegated: {kept}"
    )


def _overall(scope: ScopeReport) -> Table:
    table = Table(title=Text("Delegations against the [report] targets"))
    for column in ("metric", "target", "result", "met"):
        table.add_column(column)
    for metric in scope.metrics.values():
        style = _STYLES[metric.met]
        table.add_row(
            metric.label,
            _format.target(metric),
            Text(_format.result(metric), style=style),
            Text(_format.met_mark(metric), style=style),
        )
    return table


def _breakdown(title: str, scopes: tuple[ScopeReport, ...]) -> Table:
    table = Table(title=f"Per {title}")
    table.add_column(title, overflow="fold")
    table.add_column("runs", justify="right")
    for heading in _SHORT.values():
        table.add_column(heading, justify="right", no_wrap=True)
    for scope in scopes:
        cells = (_cell(scope.metrics[name]) for name in _SHORT)
        table.add_row(Text(scope.key), str(scope.delegated), *cells)
    return table


def _cell(metric: Metric) -> Text:
    return Text(f"{_format.result(metric)} {_format.met_mark(metric)}", style=_STYLES[metric.met])
