"""The report as one self-contained HTML page: inline CSS, inline SVG charts, no script or fetch.

Every number on the page sits in an element that also carries it as data (`data-metric`,
`data-scope`, `data-key` and `data-value`, `data-numerator`, `data-denominator`, `data-met`;
`data-target` for targets; `data-count` for run counts), so a test, or a script, can check the page
against `baton report --json`. Text from the ledger (worker names, task kinds) is escaped.
"""

from __future__ import annotations

import json
from html import escape

from baton.report import _format
from baton.report.metrics import Metric, Report, ScopeReport

__all__ = ["render_html"]

# Hand-drawn SVG bars: a chart library would bring a script or a dependency for four bars.
_CHART_WIDTH, _LABEL_WIDTH, _TRACK_WIDTH, _ROW_HEIGHT = 560, 190, 280, 30
_CLASSES = {True: "met", False: "missed", None: "na"}

_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; color: #1f2933; margin: 2rem auto; max-width: 70rem;
       padding: 0 1rem; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; } h2 { margin: 2rem 0 .6rem; font-size: 1.25rem; }
h3 { margin: 0 0 .4rem; font-size: 1.05rem; }
.meta, .counts { color: #52606d; margin: .2rem 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(34rem, 1fr)); gap: 1rem; }
.scope { border: 1px solid #d9e2ec; border-radius: 8px; padding: 1rem; }
table { border-collapse: collapse; margin: .5rem 0; width: 100%; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #e4e7eb; }
th { font-weight: 600; color: #52606d; }
tr.met td.result, tr.met td.mark { color: #1b7f3b; font-weight: 600; }
tr.missed td.result, tr.missed td.mark { color: #c62828; font-weight: 600; }
tr.na td.result, tr.na td.mark { color: #7b8794; }
svg text { font: 13px system-ui, sans-serif; fill: #1f2933; }
svg .track { fill: #eceff1; } svg .target { stroke: #263238; stroke-width: 2; }
svg .met { fill: #2f9e55; } svg .missed { fill: #d9483b; } svg .na { fill: #9aa5b1; }
footer { margin-top: 2rem; color: #52606d; font-size: .9rem; } footer dt { font-weight: 600; }
"""

_DEFINITIONS = (
    ("delegated runs", "runs routed to a worker, finished or not; runs kept by the lead or sent "
     "back to be split are counted apart"),
    ("quality-gates pass rate", "among delegated runs whose gates ran, the share whose last gated "
     "attempt passed every gate that ran (skipped gates do not count)"),
    ("fallback rate", "runs ending in fallback (the lead does the task) over finished runs"),
    ("mean retries", "attempts beyond the first, averaged over finished runs"),
    ("completion", "runs that finished with a reviewed verdict (passed, needs_fix, fallback, "
     "blocked) over all delegated runs"),
    ("n/a", "nothing to count: the rate has no value and no verdict on its target"),
)  # fmt: skip


def render_html(report: Report) -> str:
    """The report as one HTML document, readable offline and in any browser."""
    sections = [_section("Overall", [report.overall], "overall")]
    for title, scope, scopes in (
        ("Per worker", "worker", report.by_worker),
        ("Per task kind", "kind", report.by_kind),
    ):
        if scopes:
            sections.append(_section(title, list(scopes), scope))
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Baton delegation report</title><style>{_CSS}</style></head>\n<body>\n"
        f"{_header(report)}\n{''.join(sections)}\n{_footer()}\n</body></html>\n"
    )


def _header(report: Report) -> str:
    since = _time(report.since, "the first run")
    until = _time(report.until, "now")
    kept = " · ".join(
        f"{_count(count, 'not_delegated', 'overall', 'overall', verdict)} {escape(verdict)}"
        for verdict, count in report.not_delegated.items()
    )
    counts = _counts({"runs": report.runs, **report.overall.counts}, "overall", "overall")
    return (
        "<header><h1>Baton delegation report</h1>"
        f'<p class="meta">Runs started from {since} until {until}; generated '
        f"{_time(report.generated_at, '')}.</p>"
        f'<p class="counts">{counts}; not delegated: {kept}</p></header>'
    )


def _time(stamp: str | None, otherwise: str) -> str:
    if stamp is None:
        return escape(otherwise)
    return f'<time datetime="{escape(stamp)}">{escape(stamp)}</time>'


def _counts(numbers: dict[str, int], scope: str, key: str) -> str:
    """Named run counts, each number carried as data."""
    return " · ".join(
        f"{_count(number, name, scope, key)} {name}" for name, number in numbers.items()
    )


def _count(number: int, name: str, scope: str, key: str, of: str | None = None) -> str:
    which = f' data-of="{escape(of)}"' if of is not None else ""
    return (
        f'<span data-count="{name}"{which} data-scope="{scope}" data-key="{escape(key)}">'
        f"{number}</span>"
    )


def _section(title: str, scopes: list[ScopeReport], scope: str) -> str:
    cards = "".join(_card(item, scope) for item in scopes)
    return f'<section><h2>{escape(title)}</h2><div class="grid">{cards}</div></section>\n'


def _card(scope: ScopeReport, kind: str) -> str:
    counts = _counts(scope.counts, kind, scope.key)
    rows = "".join(_row(metric, kind, scope.key) for metric in scope.metrics.values())
    heading = "All delegations" if kind == "overall" else scope.key
    return (
        f'<article class="scope" data-scope="{kind}" data-key="{escape(scope.key)}">'
        f'<h3 data-label="{kind}">{escape(heading)}</h3><p class="counts">{counts}</p>'
        "<table><thead><tr><th>metric</th><th>target</th><th>result</th><th>met</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>{_chart(scope, kind)}</article>"
    )


def _data(metric: Metric, scope: str, key: str) -> str:
    """The attributes that carry a metric as data, beside its text."""
    return (
        f'data-metric="{metric.name}" data-scope="{scope}" data-key="{escape(key)}" '
        f'data-value="{json.dumps(metric.value)}" data-numerator="{metric.numerator}" '
        f'data-denominator="{metric.denominator}" data-met="{json.dumps(metric.met)}"'
    )


def _row(metric: Metric, scope: str, key: str) -> str:
    target = (
        f'<td data-target="{metric.name}" data-scope="{scope}" data-key="{escape(key)}" '
        f'data-value="{json.dumps(metric.target)}" data-comparison="{escape(metric.comparison)}">'
        f"{escape(_format.target(metric))}</td>"
    )
    return (
        f'<tr class="{_CLASSES[metric.met]}"><td>{escape(metric.label)}</td>{target}'
        f'<td class="result" {_data(metric, scope, key)}>{escape(_format.result(metric))}</td>'
        f'<td class="mark">{_format.met_mark(metric)}</td></tr>'
    )


def _chart(scope: ScopeReport, kind: str) -> str:
    """Bars of the metrics against their targets, each on its own scale (rates: 0 to 100%)."""
    bars = "".join(
        _bar(metric, index, kind, scope.key) for index, metric in enumerate(scope.metrics.values())
    )
    height = _ROW_HEIGHT * len(scope.metrics) + 6
    return (
        f'<svg role="img" width="{_CHART_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_CHART_WIDTH} {height}" '
        f'aria-label="each metric as a bar; the dark line is its target">{bars}</svg>'
    )


def _bar(metric: Metric, index: int, scope: str, key: str) -> str:
    top = index * _ROW_HEIGHT + 4
    middle = top + _ROW_HEIGHT // 2
    scale = 1.0 if metric.is_rate else max(2 * metric.target, metric.value or 0.0)
    width = round(_TRACK_WIDTH * min((metric.value or 0.0) / scale, 1.0))
    mark = _LABEL_WIDTH + round(_TRACK_WIDTH * min(metric.target / scale, 1.0))
    value_x = _LABEL_WIDTH + _TRACK_WIDTH + 10
    return (
        f'<text x="0" y="{middle + 4}">{escape(metric.label)}</text>'
        f'<rect class="track" x="{_LABEL_WIDTH}" y="{top + 3}" width="{_TRACK_WIDTH}" '
        f'height="{_ROW_HEIGHT - 10}"/>'
        f'<rect class="{_CLASSES[metric.met]}" x="{_LABEL_WIDTH}" y="{top + 3}" width="{width}" '
        f'height="{_ROW_HEIGHT - 10}"/>'
        f'<line class="target" x1="{mark}" x2="{mark}" y1="{top}" y2="{top + _ROW_HEIGHT - 4}"/>'
        f'<text x="{value_x}" y="{middle + 4}" {_data(metric, scope, key)}>'
        f"{escape(_format.value(metric))}</text>"
    )


def _footer() -> str:
    terms = "".join(
        f"<dt>{escape(term)}</dt><dd>{escape(text)}</dd>" for term, text in _DEFINITIONS
    )
    return f"<footer><h2>What the numbers mean</h2><dl>{terms}</dl></footer>"
