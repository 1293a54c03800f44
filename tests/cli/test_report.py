"""`baton report`: the seed's table over the project's ledger, as tables, JSON or an HTML page."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from baton.ledger import SqliteLedger
from tests.conftest import run_baton
from tests.report._support import record, record_seed


def baton_report(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_baton(cwd, "report", *args)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    return tmp_path


@pytest.fixture
def seeded(project: Path) -> Path:
    ledger = SqliteLedger(project / ".baton" / "ledger.db")
    record_seed(ledger)
    record(ledger, None, attempts=[["passed"]], worker="reviewer", kind=None)
    ledger.close()
    return project


def test_no_ledger_says_so_reports_nothing_and_creates_nothing(project: Path) -> None:
    done = baton_report(project)
    assert done.returncode == 0, done.stderr
    assert "no delegations recorded yet in" in done.stdout and "ledger.db" in done.stdout
    assert "baton delegate" in done.stdout
    data = json.loads(baton_report(project, "--json").stdout)
    assert (data["runs"], data["overall"]["delegated"], data["by_worker"]) == (0, 0, [])
    assert all(m["value"] is None for m in data["overall"]["metrics"].values())
    assert not (project / ".baton").exists()


def test_json_is_the_seeds_table_with_breakdowns(seeded: Path) -> None:
    done = baton_report(seeded, "--json")
    assert done.returncode == 1, done.stderr  # completion is missed: a run is still going
    assert "targets missed: completion" in done.stderr
    data = json.loads(done.stdout)
    assert (data["runs"], data["not_delegated"]) == (9, {"lead": 1, "split": 1})
    overall = data["overall"]
    assert (overall["delegated"], overall["finished"], overall["running"]) == (7, 6, 1)
    metrics = {name: (m["numerator"], m["denominator"], m["met"]) for name, m in
               overall["metrics"].items()}  # fmt: skip
    assert metrics == {
        "gate_pass_rate": (6, 6, True),
        "fallback_rate": (1, 6, True),
        "mean_retries": (0, 6, True),
        "completion": (6, 7, False),  # the reviewer's run is still going
    }
    assert [scope["key"] for scope in data["by_worker"]] == ["codex", "reviewer"]
    kinds = {scope["key"]: scope["delegated"] for scope in data["by_kind"]}
    assert kinds == {"scoped-refactoring": 1, "test-generation": 5, "unspecified": 1}


def test_the_table_reads_like_the_seeds(seeded: Path) -> None:
    done = baton_report(seeded)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    row = next(line for line in lines if "fallback rate" in line)
    assert "< 30%" in row and "17% (1/6)" in row and "✓" in row
    row = next(line for line in lines if "completion" in line and "≥ 100%" in line)
    assert "86% (6/7)" in row and "✗" in row
    assert "Per worker" in done.stdout and "reviewer" in done.stdout
    assert "Per task kind" in done.stdout and "scoped-refactoring" in done.stdout
    assert "1 lead, 1 split" in done.stdout


def test_targets_come_from_baton_toml(seeded: Path) -> None:
    (seeded / "baton.toml").write_text("[report]\nfallback_rate_max = 0.1\n")
    fallback = json.loads(baton_report(seeded, "--json").stdout)["overall"]["metrics"]
    assert (fallback["fallback_rate"]["target"], fallback["fallback_rate"]["met"]) == (0.1, False)


def test_the_window_selects_runs_by_start(seeded: Path) -> None:
    def runs(*window: str) -> int:
        done = baton_report(seeded, "--json", *window)
        assert done.returncode in (0, 1), done.stderr
        return int(json.loads(done.stdout)["runs"])

    assert runs("--since", "1d") == runs("--since", "2000-01-01") == 9
    assert runs("--since", "2999-01-01") == runs("--until", "30m") == 0
    window = json.loads(baton_report(seeded, "--json", "--since", "2026-01-01").stdout)["window"]
    assert window == {"since": "2026-01-01T00:00:00.000Z", "until": None}


@pytest.mark.parametrize("args", [["--since", "7x"], ["--until", "last week"]])
def test_a_bad_window_exits_2_naming_the_value_and_the_forms(seeded: Path, args: list[str]) -> None:
    done = baton_report(seeded, *args)
    assert done.returncode == 2
    assert f"{args[0]} {args[1]!r}" in done.stderr and "7d, 24h, 30m" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_the_html_page_is_written_whole_and_replaced(seeded: Path) -> None:
    page = seeded / "out" / "report.html"
    page.parent.mkdir()
    page.write_text("an older page " * 1000)
    done = baton_report(seeded, "--html", str(page))
    assert done.returncode == 1, done.stderr  # written, whatever the verdict
    assert f"report page written to {page}" in done.stdout
    text = page.read_text()
    assert text.startswith("<!doctype html>") and text.endswith("</html>\n")
    assert "an older page" not in text and 'data-metric="fallback_rate"' in text
    assert [path.name for path in page.parent.iterdir()] == ["report.html"]  # no temp file left
    quiet = baton_report(seeded, "--json", "--html", str(page))
    assert json.loads(quiet.stdout)["runs"] == 9  # stdout stays pure JSON


def test_an_unwritable_page_exits_2_and_leaves_nothing(seeded: Path) -> None:
    (seeded / "file").write_text("not a directory")
    done = baton_report(seeded, "--html", "file/report.html")
    assert done.returncode == 2
    assert "cannot write the report page file/report.html" in done.stderr
    assert sorted(path.name for path in seeded.iterdir()) == [".baton", ".git", "file"]


def test_without_a_ledger_the_page_still_says_so(project: Path) -> None:
    done = baton_report(project, "--html", "page.html")
    assert done.returncode == 0, done.stderr
    assert "n/a (0/0)" in (project / "page.html").read_text()
    assert not (project / ".baton").exists()


def test_the_exit_code_says_whether_every_target_is_met(project: Path) -> None:
    ledger = SqliteLedger(project / ".baton" / "ledger.db")
    record_seed(ledger)
    ledger.close()
    met = baton_report(project)
    (project / "baton.toml").write_text("[report]\nfallback_rate_max = 0.1\n")
    missed = baton_report(project)

    assert met.returncode == 0, met.stderr
    assert missed.returncode == 1
    assert "targets missed: fallback_rate" in missed.stderr
    assert "17% (1/6)" in missed.stdout  # the table is still printed
