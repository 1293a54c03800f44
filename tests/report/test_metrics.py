"""Each number of the report, by its definition: tables of runs in, numerator/denominator out."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from baton.config import ReportConfig, load_config
from baton.errors import ConfigError
from baton.ledger import RunRecord
from baton.report import build_report
from baton.report._format import result, target
from tests.report._support import make_run

TARGETS = ReportConfig()
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def counts(runs: list[RunRecord], metric: str) -> tuple[int, int, float | None, bool | None]:
    scope = build_report(runs, TARGETS, now=NOW).overall
    found = scope.metrics[metric]
    return found.numerator, found.denominator, found.value, found.met


def seed() -> list[RunRecord]:
    """The seed's six delegations: five passed their gates, one fell back without gates."""
    fallback = make_run("fallback", attempts=[[]], kind="scoped-refactoring")
    return [make_run("passed") for _ in range(5)] + [fallback]


def test_the_seeds_six_delegations_give_the_seeds_table() -> None:
    report = build_report(seed(), TARGETS, now=NOW)
    shown = {name: (result(m), target(m), m.met) for name, m in report.overall.metrics.items()}
    assert shown == {
        "gate_pass_rate": ("100% (5/5)", "≥ 100%", True),
        "fallback_rate": ("17% (1/6)", "< 30%", True),
        "mean_retries": ("0.0 (0/6)", "< 1.0", True),
        "completion": ("100% (6/6)", "≥ 100%", True),
    }


@pytest.mark.parametrize(
    ("attempts", "passed"),
    [
        ([["passed", "passed"]], True),
        ([["passed", "failed"]], False),
        ([["passed", "error"]], False),
        ([["timeout"]], False),
        ([["failed"], ["passed"]], True),  # the last gated attempt decides
        ([["passed"], ["failed"]], False),
        ([["passed"], []], True),  # attempt 2 never reached the gates: attempt 1 decides
        ([["passed", "skipped"]], True),  # a skipped gate does not fail the attempt
        ([["failed"], ["skipped", "skipped"]], False),  # an all-skipped attempt ran no gate
    ],
)
def test_gate_pass_rate_judges_the_last_attempt_whose_gates_ran(
    attempts: list[list[str]], passed: bool
) -> None:
    assert counts([make_run("needs_fix", attempts=attempts)], "gate_pass_rate")[:2] == (
        int(passed),
        1,
    )


@pytest.mark.parametrize(
    "attempts", [[], [[]], [[], []], [["skipped"]]], ids=["none", "spec", "spec-twice", "skipped"]
)
def test_runs_that_never_reached_the_gates_are_not_counted_and_zero_is_na(
    attempts: list[list[str]],
) -> None:
    assert counts([make_run("fallback", attempts=attempts)], "gate_pass_rate") == (0, 0, None, None)
    both = [make_run("fallback", attempts=attempts), make_run("passed")]
    assert counts(both, "gate_pass_rate") == (1, 1, 1.0, True)


def test_runs_routing_kept_from_the_worker_are_counted_apart_and_in_no_metric() -> None:
    kept = [
        make_run("lead", attempts=[], route="lead", worker=None),
        make_run("split", attempts=[], route="split", worker=None),
        make_run("split", attempts=[], route="split", worker=None),
        make_run(None, attempts=[], route="lead", worker=None),  # Baton died before recording
    ]
    report = build_report([*seed(), *kept], TARGETS, now=NOW)
    assert (report.runs, report.overall.delegated) == (10, 6)
    assert report.not_delegated == {"lead": 2, "split": 2}
    assert [m.denominator for m in report.overall.metrics.values()] == [5, 6, 6, 6]
    assert [scope.key for scope in report.by_worker] == ["codex"]
    empty = build_report(kept, TARGETS, now=NOW)
    assert all(m.value is None and m.met is None for m in empty.overall.metrics.values())


def test_a_running_run_counts_as_delegated_and_incomplete_only() -> None:
    running = make_run(None, attempts=[["passed"], []])
    report = build_report([*seed(), running], TARGETS, now=NOW).overall
    assert (report.delegated, report.finished, report.running) == (7, 6, 1)
    assert report.verdicts == {"passed": 5, "fallback": 1, "running": 1}
    got = {name: (m.numerator, m.denominator) for name, m in report.metrics.items()}
    assert got == {
        "gate_pass_rate": (6, 6),  # its gates ran and passed
        "fallback_rate": (1, 6),
        "mean_retries": (0, 6),  # its second attempt is not a retry counted yet
        "completion": (6, 7),
    }
    assert report.metrics["completion"].met is False


@pytest.mark.parametrize(
    ("verdict", "complete"),
    [
        ("passed", True),
        ("needs_fix", True),
        ("fallback", True),
        ("blocked", True),
        ("failed", False),
        ("cancelled", False),
        ("interrupted", False),
        (None, False),
    ],
)
def test_completion_counts_only_reviewed_verdicts(verdict: str | None, complete: bool) -> None:
    assert counts([make_run(verdict)], "completion")[:2] == (int(complete), 1)


def test_fallback_rate_and_mean_retries_are_over_finished_runs() -> None:
    runs = [
        make_run("passed", attempts=[[], ["passed"]]),  # one retry
        make_run("fallback", attempts=[[], []]),  # one retry, then the lead took over
        make_run("failed", attempts=[[]]),
        make_run("passed"),
        make_run(None, attempts=[[], [], []]),  # still going: in neither
    ]
    assert counts(runs, "fallback_rate") == (1, 4, 0.25, True)
    assert counts(runs, "mean_retries") == (2, 4, 0.5, True)


@pytest.mark.parametrize(
    ("fallbacks", "runs", "met"), [(2, 10, True), (3, 10, False), (4, 10, False)]
)
def test_a_maximum_is_met_strictly_below_it_as_the_seed_wrote_it(
    fallbacks: int, runs: int, met: bool
) -> None:
    made = [make_run("fallback", attempts=[[]]) for _ in range(fallbacks)]
    made += [make_run("passed") for _ in range(runs - fallbacks)]
    assert counts(made, "fallback_rate")[3] is met


def test_targets_come_from_the_report_section() -> None:
    strict = ReportConfig(fallback_rate_max=0.1, mean_retries_max=0.5, completion_min=0.5)
    report = build_report(seed(), strict, now=NOW).overall.metrics
    assert (report["fallback_rate"].met, report["fallback_rate"].target) == (False, 0.1)
    assert report["completion"].target == 0.5
    assert target(report["mean_retries"]) == "< 0.5"


def test_report_targets_load_from_baton_toml_and_bad_ones_name_the_key(tmp_path: Path) -> None:
    project = tmp_path / "baton.toml"
    project.write_text("[report]\nfallback_rate_max = 0.2\ncompletion_min = 0.9\n")
    config = load_config(config_path=project)
    assert (config.report.fallback_rate_max, config.report.completion_min) == (0.2, 0.9)
    assert config.report.gate_pass_rate_min == 1.0
    project.write_text("[report]\nfallback_rate_max = 1.5\n")
    with pytest.raises(ConfigError) as raised:
        load_config(config_path=project)
    assert "fallback_rate_max" in raised.value.message
    for bad in ({"gate_pass_rate_min": -0.1}, {"mean_retries_max": 0}, {"completion_min": 2}):
        with pytest.raises(ValidationError):
            ReportConfig.model_validate(bad)


def test_breakdowns_are_per_worker_and_per_kind_in_name_order() -> None:
    runs = [
        *seed(),
        make_run("fallback", attempts=[[]], worker="reviewer", kind=None),
        make_run("passed", worker="reviewer", kind="scoped-refactoring"),
    ]
    report = build_report(runs, TARGETS, now=NOW)
    workers = {scope.key: scope for scope in report.by_worker}
    assert list(workers) == ["codex", "reviewer"]
    assert workers["reviewer"].delegated == 2
    assert result(workers["reviewer"].metrics["fallback_rate"]) == "50% (1/2)"
    assert result(workers["codex"].metrics["fallback_rate"]) == "17% (1/6)"
    kinds = {scope.key: scope.delegated for scope in report.by_kind}
    assert kinds == {"scoped-refactoring": 2, "test-generation": 5, "unspecified": 1}


def test_the_window_keeps_runs_started_from_since_and_before_until() -> None:
    stamps = ["2026-11-20T09:59:59.999Z", "2026-11-20T10:00:00.000Z", "2026-11-21T10:00:00.000Z"]
    runs = [make_run("passed", started_at=stamp) for stamp in stamps]
    inside = build_report(runs, TARGETS, since="2026-11-20T10:00:00Z", now=NOW)
    assert (inside.runs, inside.since) == (2, "2026-11-20T10:00:00.000Z")
    before = build_report(runs, TARGETS, until="2026-11-21T10:00:00.000Z", now=NOW)
    assert before.runs == 2
    # an offset is converted: 19:00 in Tokyo is 10:00 UTC
    tokyo = build_report(runs, TARGETS, since="2026-11-20T19:00+09:00", until="2026-11-21")
    assert tokyo.runs == 1


@pytest.mark.parametrize(
    ("numerator", "denominator", "shown"),
    [(1, 6, "17% (1/6)"), (199, 200, ">99% (199/200)"), (1, 300, "<1% (1/300)"),
     (0, 0, "n/a (0/0)"), (2, 3, "67% (2/3)")],
)  # fmt: skip
def test_rates_never_round_a_miss_into_the_look_of_a_hit(
    numerator: int, denominator: int, shown: str
) -> None:
    runs = [make_run("fallback", attempts=[[]]) for _ in range(numerator)]
    runs += [make_run("passed") for _ in range(denominator - numerator)]
    report = build_report(runs, TARGETS, now=NOW).overall.metrics
    assert result(report["fallback_rate"]) == shown


def test_to_dict_is_the_json_shape() -> None:
    data = build_report(seed(), TARGETS, since="2026-11-01", now=NOW).to_dict()
    assert list(data) == [
        "generated_at", "window", "runs", "not_delegated", "targets", "overall", "by_worker",
        "by_kind",
    ]  # fmt: skip
    assert data["generated_at"] == "2026-11-22T12:00:00Z"
    assert data["window"] == {"since": "2026-11-01T00:00:00.000Z", "until": None}
    assert data["targets"] == {
        "gate_pass_rate_min": 1.0,
        "fallback_rate_max": 0.3,
        "mean_retries_max": 1.0,
        "completion_min": 1.0,
    }
    fallback = data["overall"]["metrics"]["fallback_rate"]
    assert fallback == {
        "label": "fallback rate",
        "value": 1 / 6,
        "numerator": 1,
        "denominator": 6,
        "target": 0.3,
        "comparison": "<",
        "met": True,
    }
    assert [scope["key"] for scope in data["by_kind"]] == ["scoped-refactoring", "test-generation"]
