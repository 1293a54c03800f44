"""Quality gates: format → lint → typecheck → test → build, run in the worker's workspace.

A project's gates are its `[gates]` in baton.toml, in their order; without any, each detector in
`GATE_DETECTORS` (one module each: `python`, `node`) says which gates it recognises, and they are
ordered by `GATE_ORDER`. Adding a detector is adding a module and a line in `_detect.py`.
`run_gates` runs them (read-only ones side by side) and `run_checks` runs the acceptance
criteria's `check` commands, each in its own process group with a timeout and a redacted tail.
"""

from __future__ import annotations

from baton.delegation.gates._base import GATE_ORDER, Gate, GateDetector
from baton.delegation.gates._detect import GATE_DETECTORS, detect_gates, gates_for
from baton.delegation.gates._runner import Progress, run_checks, run_gates, tool_found

__all__ = [
    "GATE_DETECTORS",
    "GATE_ORDER",
    "Gate",
    "GateDetector",
    "Progress",
    "detect_gates",
    "gates_for",
    "run_checks",
    "run_gates",
    "tool_found",
]
