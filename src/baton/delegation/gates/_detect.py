"""The default list of gate detectors, and choosing a project's gates: configured, else detected."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from baton.config.schema import GateConfig
from baton.delegation.gates._base import GATE_ORDER, Gate, GateDetector, program_of, stage_rank
from baton.delegation.gates.node import detect_node
from baton.delegation.gates.python import detect_python

__all__ = ["GATE_DETECTORS", "detect_gates", "gates_for"]

GATE_DETECTORS: list[GateDetector] = [
    detect_python,
    detect_node,
]


def detect_gates(root: Path) -> list[Gate]:
    """The gates every detector finds in the project at `root`, in `GATE_ORDER`."""
    found = [gate for detector in GATE_DETECTORS for gate in detector(root)]
    return _unique_names(sorted(found, key=stage_rank))


def gates_for(configured: Sequence[GateConfig], root: Path) -> list[Gate]:
    """The `[gates]` of the config in their order, or when there are none, the detected ones."""
    if not configured:
        return detect_gates(root)
    return [
        Gate(
            name=gate.name,
            command=gate.command,
            read_only=gate.read_only,
            stage=gate.name if gate.name in GATE_ORDER else None,
            requires=program_of(gate.command),
        )
        for gate in configured
    ]


def _unique_names(gates: list[Gate]) -> list[Gate]:
    """A Python and a Node `lint` in one repository become `lint (ruff)` and `lint (npm)`."""
    counts = Counter(gate.name for gate in gates)
    return [
        replace(gate, name=f"{gate.name} ({gate.requires})") if counts[gate.name] > 1 else gate
        for gate in gates
    ]
