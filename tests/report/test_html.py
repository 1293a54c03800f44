"""`baton report --html`: one self-contained page whose numbers are the JSON's, seen in Chromium."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from baton.config import ReportConfig
from baton.ledger import SqliteLedger
from baton.report import build_report, render_html
from tests.conftest import require_tool, run_baton
from tests.report._page import attribute_names, check_page, png_pixels
from tests.report._support import make_run, record, record_seed

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script>&'
# The bar colours of the page's CSS (text uses others): a target met, a target missed.
GREEN, RED = bytes((0x2F, 0x9E, 0x55)), bytes((0xD9, 0x48, 0x3B))
BAR_PIXELS = 280 * 20 // 2  # half the area of one full bar
WINDOW = (1200, 1600)
CHROMIUM_TIMEOUT_SEC = 60  # a cold start on a loaded machine; it takes about one second


def test_ledger_text_is_escaped_and_the_page_fetches_nothing() -> None:
    runs = [make_run("passed", worker=HOSTILE, kind='"><img src=x onerror=alert(1)>')]
    page = render_html(build_report(runs, ReportConfig(), now=NOW))
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in page
    assert not attribute_names(page) & {"src", "href", "xlink:href", "srcset"}, "it links out"
    for fetch in ("url(", "@import", "http:", "https:"):
        assert fetch not in page, fetch


def test_every_number_of_every_scope_is_on_the_page_as_data() -> None:
    runs = [
        *(make_run("passed") for _ in range(5)),
        make_run("fallback", attempts=[[]], kind="scoped-refactoring"),
        make_run("needs_fix", attempts=[["failed"], ["passed", "failed"]], worker="reviewer"),
        make_run(None, worker="reviewer", kind=None),
        make_run("lead", attempts=[], route="lead", worker=None),
    ]
    report = build_report(runs, ReportConfig(), now=NOW)
    headings = check_page(render_html(report), report.to_dict())
    assert headings[("worker", "reviewer")] == "reviewer"


def baton(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_baton(project, "report", *args)


def chromium(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with a throwaway profile; `--no-sandbox` because tests may run as root."""
    return subprocess.run(
        [
            require_tool("chromium"),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={project / 'chromium-profile'}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=CHROMIUM_TIMEOUT_SEC,
        env={"PATH": "/usr/bin:/bin", "HOME": str(project)},
        check=True,
    )


def test_chromium_renders_the_page_with_the_jsons_numbers(tmp_path: Path) -> None:
    require_tool("chromium")
    (tmp_path / ".git").mkdir()
    ledger = SqliteLedger(tmp_path / ".baton" / "ledger.db")
    record_seed(ledger)
    record(ledger, "needs_fix", attempts=[["passed", "failed"]], worker=HOSTILE, goal=HOSTILE)
    record(ledger, None, attempts=[["passed"]], worker="reviewer", kind=None)
    ledger.close()

    data = json.loads(baton(tmp_path, "--json").stdout)
    done = baton(tmp_path, "--html", "page.html")
    assert done.returncode == 1, done.stderr  # targets are missed; the page is written anyway
    page = tmp_path / "page.html"
    dom = chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    screenshot = tmp_path / "page.png"
    chromium(tmp_path, f"--screenshot={screenshot}", page.as_uri())

    headings = check_page(dom, data)
    assert headings[("worker", HOSTILE)] == HOSTILE  # shown as text, not run as a script
    assert data["overall"]["metrics"]["fallback_rate"]["numerator"] == 1
    width, height, colours = png_pixels(screenshot.read_bytes())
    assert (width, height) == WINDOW
    assert len(colours) > 50, "the screenshot is (nearly) one colour: nothing was drawn"
    assert colours[GREEN] > BAR_PIXELS and colours[RED] > BAR_PIXELS, "the bars were not drawn"
