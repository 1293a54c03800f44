"""`baton report`: the seed's E2E table — gate pass rate, fallback rate, mean retries, completion —
over the ledger's runs against the targets in `[report]`, overall, per worker and per task kind.

Pure: it takes `RunRecord`s (`Ledger.run_records`) and returns data, a rich table or an HTML page;
reading the ledger and writing files is the command's job. `baton.report.metrics` defines each
number exactly.
"""

from __future__ import annotations

from baton.report.html import render_html
from baton.report.metrics import METRICS, Metric, Report, ScopeReport, build_report
from baton.report.table import render_table, show_report
from baton.report.window import parse_moment, window

__all__ = [
    "METRICS",
    "Metric",
    "Report",
    "ScopeReport",
    "build_report",
    "parse_moment",
    "render_html",
    "render_table",
    "show_report",
    "window",
]
