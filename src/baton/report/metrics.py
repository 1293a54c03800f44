"""The seed's E2E table computed from the ledger's runs: pure, no IO.

Seed 000 judged its six Codex delegations by four numbers against targets. Here they are, over
the runs in a window, overall, per worker and per task kind:

* **Delegated runs**: runs routed to a worker, finished or not. Runs routing kept with the lead
  (verdict `lead`) or sent back to be split (`split`) never reached a worker; they are counted
  apart (`not_delegated`) and in no metric.
* **Gate pass rate**: among delegated runs whose quality gates ran in at least one attempt (a gate
  ran unless it was `skipped`), the share whose last such attempt had every gate that ran
  `passed`. Runs that never reached the gates are not counted at all.
* **Fallback rate**: delegated runs with verdict `fallback` / delegated runs that finished.
* **Mean retries**: the mean of (attempts - 1) over delegated runs that finished.
* **Completion**: delegated runs that finished with a reviewed verdict (`passed`, `needs_fix`,
  `fallback`, `blocked`) / all delegated runs; `failed`, `cancelled`, `interrupted` and runs
  still going are not complete.

Each metric keeps its numerator and denominator, so it reads like the seed's "17% (1/6)". A
metric with a denominator of 0 has no value (`None`, shown "n/a") and no verdict on its target.
The rate targets are met at or above a minimum (`>=`) or strictly below a maximum (`<`), as the
seed wrote them; they come from `[report]` in baton.toml.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from baton.config.schema import ReportConfig
from baton.ledger import RunRecord, parse_utc, utc_stamp

__all__ = ["METRICS", "REVIEWED", "UNSPECIFIED", "Metric", "Report", "ScopeReport", "build_report"]

# Verdicts of a run whose worker result went through review: the run is complete.
REVIEWED = ("passed", "needs_fix", "fallback", "blocked")
# Verdicts of runs routing kept away from the worker.
_NOT_DELEGATED = ("lead", "split")
# The metrics in the seed's order: name -> label.
METRICS = {
    "gate_pass_rate": "quality-gates pass rate",
    "fallback_rate": "fallback rate",
    "mean_retries": "mean retries",
    "completion": "completion",
}
# Grouping key of runs that name no task kind (or, impossibly, no worker).
UNSPECIFIED = "unspecified"

Comparison = Literal[">=", "<"]


@dataclass(frozen=True)
class Metric:
    """One number of the table: numerator / denominator, against its target."""

    name: str
    label: str
    numerator: int
    denominator: int
    target: float
    comparison: Comparison

    @property
    def value(self) -> float | None:
        """numerator / denominator, or None when nothing was counted."""
        return self.numerator / self.denominator if self.denominator else None

    @property
    def met(self) -> bool | None:
        """Whether the target is met; None when there is no value."""
        value = self.value
        if value is None:
            return None
        return value >= self.target if self.comparison == ">=" else value < self.target

    @property
    def is_rate(self) -> bool:
        """A share shown in percent (mean retries is a count per run)."""
        return self.name != "mean_retries"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "label": self.label,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "target": self.target,
            "comparison": self.comparison,
            "met": self.met,
        }


@dataclass(frozen=True)
class ScopeReport:
    """The four metrics over one group of delegated runs: all of them, one worker, one kind."""

    key: str
    delegated: int
    finished: int
    running: int
    verdicts: dict[str, int]
    metrics: dict[str, Metric]

    @property
    def counts(self) -> dict[str, int]:
        """Its runs by state: delegated, finished, running."""
        return {"delegated": self.delegated, "finished": self.finished, "running": self.running}

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        metrics = {name: metric.to_dict() for name, metric in self.metrics.items()}
        return {"key": self.key, **self.counts, "verdicts": self.verdicts, "metrics": metrics}


@dataclass(frozen=True)
class Report:
    """The whole report: the window, run counts, and the metrics overall, per worker, per kind."""

    generated_at: str
    since: str | None
    until: str | None
    runs: int
    not_delegated: dict[str, int]
    targets: ReportConfig
    overall: ScopeReport
    by_worker: tuple[ScopeReport, ...]
    by_kind: tuple[ScopeReport, ...]

    @property
    def missed(self) -> tuple[str, ...]:
        """The overall metrics whose target is missed (n/a is not a miss)."""
        return tuple(name for name, metric in self.overall.metrics.items() if metric.met is False)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output (`baton report --json`)."""
        return {
            "generated_at": self.generated_at,
            "window": {"since": self.since, "until": self.until},
            "runs": self.runs,
            "not_delegated": self.not_delegated,
            "targets": self.targets.model_dump(),
            "overall": self.overall.to_dict(),
            "by_worker": [scope.to_dict() for scope in self.by_worker],
            "by_kind": [scope.to_dict() for scope in self.by_kind],
        }


def build_report(
    runs: Sequence[RunRecord],
    targets: ReportConfig,
    *,
    since: str | None = None,
    until: str | None = None,
    now: datetime | None = None,
) -> Report:
    """The report over the runs started in [`since`, `until`) (ISO times; None: open)."""
    since = utc_stamp(parse_utc(since)) if since is not None else None
    until = utc_stamp(parse_utc(until)) if until is not None else None
    inside = [run for run in runs if _in_window(run.started_at, since, until)]
    delegated = [run for run in inside if _is_delegated(run)]
    kept = Counter(_kept_as(run) for run in inside if not _is_delegated(run))
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return Report(
        generated_at=moment.isoformat(timespec="seconds").replace("+00:00", "Z"),
        since=since,
        until=until,
        runs=len(inside),
        not_delegated={"lead": kept.pop("lead", 0), "split": kept.pop("split", 0), **kept},
        targets=targets,
        overall=_scope("overall", delegated, targets),
        by_worker=_grouped(delegated, lambda run: run.worker, targets),
        by_kind=_grouped(delegated, lambda run: run.kind, targets),
    )


def _in_window(started_at: str, since: str | None, until: str | None) -> bool:
    # Ledger stamps are equal-width UTC ISO text, so text order is time order.
    return (since is None or started_at >= since) and (until is None or started_at < until)


def _is_delegated(run: RunRecord) -> bool:
    return run.route == "worker" and run.verdict not in _NOT_DELEGATED


def _kept_as(run: RunRecord) -> str:
    """Why a run never reached a worker: `lead` or `split` (the route, if the run never ended)."""
    return run.verdict if run.verdict in _NOT_DELEGATED else run.route or UNSPECIFIED


def _grouped(
    runs: Sequence[RunRecord],
    key: Callable[[RunRecord], str | None],
    targets: ReportConfig,
) -> tuple[ScopeReport, ...]:
    """One scope per distinct key, in name order."""
    groups: dict[str, list[RunRecord]] = {}
    for run in runs:
        groups.setdefault(key(run) or UNSPECIFIED, []).append(run)
    return tuple(_scope(name, groups[name], targets) for name in sorted(groups))


def _scope(key: str, runs: Sequence[RunRecord], targets: ReportConfig) -> ScopeReport:
    finished = [run for run in runs if run.verdict is not None]
    gated = [gates for gates in map(_last_gates_run, runs) if gates is not None]
    gates_passed = sum(all(status == "passed" for status in gates) for gates in gated)
    fallbacks = sum(run.verdict == "fallback" for run in finished)
    retries = sum(max(_attempts(run) - 1, 0) for run in finished)
    completed = sum(run.verdict in REVIEWED for run in runs)
    counts: dict[str, tuple[int, int, float, Comparison]] = {
        "gate_pass_rate": (gates_passed, len(gated), targets.gate_pass_rate_min, ">="),
        "fallback_rate": (fallbacks, len(finished), targets.fallback_rate_max, "<"),
        "mean_retries": (retries, len(finished), targets.mean_retries_max, "<"),
        "completion": (completed, len(runs), targets.completion_min, ">="),
    }
    metrics = {
        name: Metric(name, METRICS[name], numerator, denominator, target, comparison)
        for name, (numerator, denominator, target, comparison) in counts.items()
    }
    return ScopeReport(
        key=key,
        delegated=len(runs),
        finished=len(finished),
        running=len(runs) - len(finished),
        verdicts=dict(Counter(run.verdict or "running" for run in runs).most_common()),
        metrics=metrics,
    )


def _last_gates_run(run: RunRecord) -> tuple[str, ...] | None:
    """The statuses of the gates that ran in the run's last attempt where any ran, or None."""
    for attempt in reversed(run.attempt_records):
        ran = tuple(gate.status for gate in attempt.gates if gate.status != "skipped")
        if ran:
            return ran
    return None


def _attempts(run: RunRecord) -> int:
    """The run's attempts: as `finish_run` counted them, or as recorded when that is missing."""
    return max(run.attempts, len(run.attempt_records))
