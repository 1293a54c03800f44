"""Audit findings and gate outcomes as a SARIF 2.1.0 log, for code-scanning UIs. Pure.

Written by hand: SARIF is plain JSON and the Python writers there are (sarif-om, 2019) are
unmaintained object models that add nothing a dict does not; the tests validate the output
against the official OASIS schema instead. A result never holds a secret's value: its text is
the finding's message, which names the kind and line only, and its fingerprint is built from the
rule, the path and that message, so code-scanning UIs match a finding across runs even when
lines move.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import quote

from baton.audit._findings import Finding, GateOutcome
from baton.audit.checks import audit_gates
from baton.audit.spec import display

__all__ = [
    "FINGERPRINT",
    "GATES_FILE",
    "RULES",
    "SARIF_SCHEMA",
    "SARIF_VERSION",
    "SarifRule",
    "sarif_log",
]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
# partialFingerprints key: versioned, so a change of what goes into it cannot collide.
FINGERPRINT = "batonFinding/v1"
# Where a result without a file of its own is located: code scanning rejects a result without one.
GATES_FILE = "baton.toml"
_NO_FILES: Mapping[str, str] = MappingProxyType({})
Level = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class SarifRule:
    """One rule as code-scanning UIs show it; `severity` is GitHub's security-severity (0–10)."""

    id: str
    name: str
    summary: str
    help: str
    level: Level = "error"
    severity: str | None = None

    def descriptor(self) -> dict[str, Any]:
        """The rule as a SARIF reportingDescriptor."""
        properties: dict[str, Any] = {"tags": ["security"] if self.severity else ["quality"]}
        if self.severity:
            properties["security-severity"] = self.severity
        return {
            "id": self.id,
            "name": self.name,
            "shortDescription": {"text": self.summary},
            "help": {"text": self.help},
            "defaultConfiguration": {"level": self.level},
            "properties": properties,
        }


RULES: tuple[SarifRule, ...] = (
    SarifRule(
        "denied-path", "DeniedPath", "A denied path was created, changed or deleted",
        "The policy's denied_paths (e.g. .env, *.pem, secrets/) hold what no change may touch. "
        "Revert the change to the path; if the path should be allowed, change [policy] "
        "denied_paths in baton.toml.", severity="8.0",
    ),
    SarifRule(
        "secret", "Secret", "An added line holds a secret",
        "A token, key or credential was written into the code. Remove it, read the value at "
        "run time (an environment variable or a secret store), and rotate it: it is in the "
        "history now. The value is never shown in this report.", severity="9.0",
    ),
    SarifRule(
        "symlink-escape", "SymlinkEscape", "A symlink points outside the repository",
        "A symlink that leaves the repository lets a change read or write files elsewhere. "
        "Remove it and refer to files inside the repository by relative paths.", severity="7.0",
    ),
    SarifRule(
        "protected-path", "ProtectedPath", "A protected path was changed",
        "The policy's protected_paths (e.g. .claude/, infra/) are changed only by the lead, "
        "with review. Revert the change, or have it made and reviewed on purpose.",
    ),
    SarifRule(
        "out-of-scope", "OutOfScope", "A changed path is outside the scope",
        "The change touches a path outside the scope it was given (--scope). Revert the change "
        "to the path, or widen the scope if the change belongs there.",
    ),
    SarifRule(
        "acceptance-check", "AcceptanceCheck", "An acceptance criterion's check failed",
        "The check command of an acceptance criterion did not pass. Change the code so that it "
        "passes.",
    ),
    SarifRule(
        "gate", "QualityGate", "A quality gate did not pass",
        "A quality gate (format, lint, typecheck, test or build; [[gates]] in baton.toml, or "
        "detected) failed, errored or timed out. Its message holds the command and the tail of "
        "its output; run the command locally and fix what it reports.",
    ),
)  # fmt: skip
_RULE_INDEX = {rule.id: index for index, rule in enumerate(RULES)}


def _uri(path: str) -> str:
    """A repository-relative path as a URI reference: spaces, `%` and control bytes escaped."""
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def _location(path: str, line: int | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path), "uriBaseId": SRCROOT}}
    if line is not None:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _identity(finding: Finding) -> tuple[str, str, str]:
    """What makes a finding the same one next run: rule, path, and its message minus the line."""
    path = finding.path or ""
    if finding.line is None:
        return finding.rule, path, ""  # a path finding: one per rule and path
    return finding.rule, path, finding.message.removeprefix(f"{display(path)}:{finding.line}: ")


def _result(
    rule: str, message: str, location: dict[str, Any], identity: tuple[str, ...]
) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": rule}
    if rule in _RULE_INDEX:
        result["ruleIndex"] = _RULE_INDEX[rule]
    level = RULES[_RULE_INDEX[rule]].level if rule in _RULE_INDEX else "error"
    return result | {
        "level": level,
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: _fingerprint(*identity)},
    }


def _finding_results(findings: Sequence[Finding], fallback: str) -> list[dict[str, Any]]:
    """One result per finding; the n-th alike one (same rule, path and message) is told apart."""
    seen: Counter[tuple[str, str, str]] = Counter()
    results = []
    for finding in findings:
        identity = _identity(finding)
        seen[identity] += 1
        where = _location(finding.path or fallback, finding.line)
        nth = (*identity, str(seen[identity]))
        results.append(_result(finding.rule, finding.message, where, nth))
    return results


def _gate_results(gates: Sequence[GateOutcome], files: Mapping[str, str]) -> list[dict[str, Any]]:
    """One result per gate that did not pass, located at the file the gate comes from."""
    return [
        _result(
            "gate",
            finding.message,
            _location(files.get(gate.name, GATES_FILE)),
            ("gate", gate.name),
        )
        for gate in gates
        if gate.failed
        for finding in audit_gates([gate])
    ]


def _notifications(gates: Sequence[GateOutcome]) -> list[dict[str, Any]]:
    """Gates that were skipped, errored or timed out: told to whoever reads the run."""
    notes = []
    for gate in gates:
        if gate.status in ("skipped", "error", "timeout"):
            tail = gate.output_tail.strip()  # redacted by the runner
            reason = tail.split("\n")[-1] if tail else ""
            text = f"gate '{gate.name}' {gate.status}" + (f": {reason}" if reason else "")
            level = "note" if gate.status == "skipped" else "error"
            notes.append({"level": level, "message": {"text": text}})
    return notes


def sarif_log(
    findings: Sequence[Finding],
    gates: Sequence[GateOutcome] = (),
    *,
    tool_version: str,
    gate_files: Mapping[str, str] = _NO_FILES,
    root_uri: str | None = None,
    exit_code: int | None = None,
) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one audit: a result per finding and per gate that did not pass.

    `findings` are the audit's path and secret findings (any `gate` finding among them is left
    out: `gates` carries the gate's name its fingerprint needs). A gate is located at the file it
    comes from, `gate_files[name]` (baton.toml, package.json, …), a finding without a path at
    `GATES_FILE`: code scanning rejects a result without a location. `root_uri` (a `file://` URI
    ending in `/`) tells local viewers where `%SRCROOT%` is. The run counts as successful unless a
    gate could not reach a verdict (it errored or timed out).
    """
    results = _finding_results([f for f in findings if f.rule != "gate"], GATES_FILE)
    results += _gate_results(gates, gate_files)
    invocation: dict[str, Any] = {
        "executionSuccessful": not any(g.status in ("error", "timeout") for g in gates),
        "toolExecutionNotifications": _notifications(gates),
    }
    if exit_code is not None:
        invocation["exitCode"] = exit_code
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "baton",
                "version": tool_version,
                "semanticVersion": tool_version,
                "rules": [rule.descriptor() for rule in RULES],
            }
        },
        "invocations": [invocation],
        "results": results,
    }
    if root_uri is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": root_uri}}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
