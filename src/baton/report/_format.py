"""How the report's numbers are written, the same in the terminal and on the HTML page."""

from __future__ import annotations

from baton.report.metrics import Metric

__all__ = ["NOT_AVAILABLE", "met_mark", "result", "target", "value"]

NOT_AVAILABLE = "n/a"


def value(metric: Metric) -> str:
    """The value alone: `17%` for a rate, `0.4` for mean retries, `n/a` without a denominator."""
    if metric.value is None:
        return NOT_AVAILABLE
    if not metric.is_rate:
        return f"{metric.value:.1f}"
    shown = f"{metric.value:.0%}"
    # Never round a miss into the look of a hit: 199/200 is not "100%".
    if shown == "100%" and metric.value < 1:
        return ">99%"
    if shown == "0%" and metric.value > 0:
        return "<1%"
    return shown


def result(metric: Metric) -> str:
    """The value with its counts, as the seed wrote it: `17% (1/6)`."""
    return f"{value(metric)} ({metric.numerator}/{metric.denominator})"


def target(metric: Metric) -> str:
    """The target with its comparison: `≥ 100%`, `< 30%`, `< 1.0`."""
    if metric.is_rate:
        amount = f"{metric.target * 100:g}%"
    else:
        amount = f"{metric.target:.1f}" if metric.target.is_integer() else f"{metric.target:g}"
    return f"{'≥' if metric.comparison == '>=' else '<'} {amount}"


def met_mark(metric: Metric) -> str:
    """✓ met, ✗ missed, – no value to judge."""
    return {True: "✓", False: "✗", None: "–"}[metric.met]
