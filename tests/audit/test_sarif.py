"""Findings and gate outcomes as SARIF 2.1.0: valid by the official schema, located, deduplicable,
and never holding a secret's value."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema

from baton.audit import Finding, GateOutcome, audit_changes, audit_gates, scan_added_lines
from baton.audit.sarif import FINGERPRINT, GATES_FILE, RULES, sarif_log
from tests.audit.test_secrets import new_file
from tests.audit.test_spec import FakeChange
from tests.conftest import REPO

SCHEMA = REPO / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
# Built at run time so that no scanner mistakes this file for a leak.
TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


@cache
def _validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def assert_valid_sarif(log: dict[str, Any]) -> None:
    """Fail with every schema error when `log` is not valid SARIF 2.1.0."""
    errors = sorted(_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def change(path: str, status: str = "added", target: str | None = None) -> FakeChange:
    return FakeChange(path, status, is_symlink=target is not None, symlink_target=target)


def gate(name: str, status: str, tail: str = "", code: int | None = None) -> GateOutcome:
    return GateOutcome(name, f"run-{name}", status, 10, tail, code)  # type: ignore[arg-type]


def secret_diff(line: int) -> str:
    return new_file("src/settings.py", *(["import os"] * (line - 1)), f'TOKEN = "{TOKEN}"')


def every_kind_of_finding() -> list[Finding]:
    changes = [change(".env"), change("infra/main.tf", "modified"), change("docs/a b.md")]
    changes.append(change("src/link", target="/etc/passwd"))
    found = audit_changes(changes, scope=["src/**"], denied=[".env"], protected=["infra/**"])
    return found + scan_added_lines(secret_diff(3), high_entropy=False)


def results(log: dict[str, Any]) -> list[dict[str, Any]]:
    return list(log["runs"][0]["results"])


def test_a_log_of_every_kind_of_result_is_valid_sarif() -> None:
    gates = [gate("lint", "passed", code=0), gate("test", "failed", "1 failed", 1)]
    gates += [gate("typecheck", "error", "mypy not found"), gate("format", "skipped", "no ruff")]
    log = sarif_log(
        every_kind_of_finding(), gates, tool_version="0.1.0", root_uri="file:///repo/", exit_code=1
    )
    assert_valid_sarif(log)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "baton"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///repo/"}}
    assert {r["ruleId"] for r in results(log)} == {
        "denied-path", "protected-path", "out-of-scope", "symlink-escape", "secret", "gate",
    }  # fmt: skip


def test_every_rule_the_audit_can_raise_is_described_with_help() -> None:
    raised = {"out-of-scope", "denied-path", "protected-path", "symlink-escape", "secret"}
    raised |= {"gate", "acceptance-check"}
    driver = sarif_log([], tool_version="1.2.3")["runs"][0]["tool"]["driver"]
    assert (driver["version"], {rule["id"] for rule in driver["rules"]}) == ("1.2.3", raised)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["help"]["text"]
    security = {rule.id for rule in RULES if rule.severity}
    assert security == {"denied-path", "secret", "symlink-escape"}


def test_a_secret_is_an_error_at_its_file_and_line_and_its_value_is_nowhere() -> None:
    log = sarif_log(scan_added_lines(secret_diff(3), high_entropy=False), tool_version="0")
    [result] = results(log)
    assert (result["ruleId"], result["level"]) == ("secret", "error")
    assert RULES[result["ruleIndex"]].id == "secret"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "src/settings.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3},
    }
    assert "github token" in result["message"]["text"]
    shown = json.dumps(log)
    assert TOKEN not in shown and TOKEN[-12:] not in shown


def test_fingerprints_survive_moved_lines_and_tell_alike_findings_apart() -> None:
    def fingerprints(diff: str) -> list[str]:
        log = sarif_log(scan_added_lines(diff, high_entropy=False), tool_version="0")
        return [r["partialFingerprints"][FINGERPRINT] for r in results(log)]

    assert fingerprints(secret_diff(1)) == fingerprints(secret_diff(7))
    twice = new_file("src/settings.py", f'A = "{TOKEN}"', f'B = "{TOKEN}"')
    first, second = fingerprints(twice)
    assert first != second and first == fingerprints(secret_diff(4))[0]
    again = sarif_log(every_kind_of_finding(), tool_version="0")
    assert results(again) == results(sarif_log(every_kind_of_finding(), tool_version="0"))
    assert len({r["partialFingerprints"][FINGERPRINT] for r in results(again)}) == len(
        results(again)
    )


def test_a_path_is_a_uri_reference_relative_to_the_source_root() -> None:
    found = audit_changes([change("docs/a b%.md")], scope=["src/**"], denied=[], protected=[])
    [result] = results(sarif_log(found, tool_version="0"))
    location = result["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "docs/a%20b%25.md", "uriBaseId": "%SRCROOT%"}}


def test_a_failing_gate_is_an_error_at_the_file_it_comes_from() -> None:
    gates = [gate("lint", "passed", code=0), gate("test", "failed", "E   assert 5 == 6", 1)]
    gates.append(gate("build", "timeout", "stopped after 600s"))
    log = sarif_log(
        audit_gates(gates), gates, tool_version="0", gate_files={"test": "pyproject.toml"}
    )
    assert_valid_sarif(log)
    test, build = results(log)
    assert (test["ruleId"], test["level"]) == ("gate", "error")
    assert "quality gate 'test' failed (exit code 1): `run-test`" in test["message"]["text"]
    assert "assert 5 == 6" in test["message"]["text"]
    uri = test["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert (uri, build["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) == (
        "pyproject.toml",
        GATES_FILE,
    )
    assert test["partialFingerprints"] != build["partialFingerprints"]


def test_the_run_fails_only_when_a_gate_could_not_reach_a_verdict() -> None:
    def invocation(*gates: GateOutcome) -> dict[str, Any]:
        return dict(sarif_log([], gates, tool_version="0")["runs"][0]["invocations"][0])

    assert invocation(gate("test", "failed", "boom", 1))["executionSuccessful"] is True
    skipped = invocation(gate("lint", "skipped", "ruff not found on PATH"))
    assert skipped == {
        "executionSuccessful": True,
        "toolExecutionNotifications": [
            {"level": "note", "message": {"text": "gate 'lint' skipped: ruff not found on PATH"}}
        ],
    }
    errored = invocation(gate("lint", "error", "cannot start `ruff`\nruff: Permission denied"))
    assert errored == {
        "executionSuccessful": False,
        "toolExecutionNotifications": [
            {"level": "error", "message": {"text": "gate 'lint' error: ruff: Permission denied"}}
        ],
    }


def test_gate_findings_among_the_findings_are_not_counted_twice() -> None:
    failed = [gate("test", "failed", "boom", 1)]
    log = sarif_log(audit_gates(failed), failed, tool_version="0")
    assert [r["ruleId"] for r in results(log)] == ["gate"]


def test_a_clean_audit_is_valid_and_empty() -> None:
    log = sarif_log([], [gate("test", "passed", code=0)], tool_version="0", exit_code=0)
    assert_valid_sarif(log)
    assert results(log) == [] and log["runs"][0]["invocations"][0]["exitCode"] == 0


def test_the_schema_does_reject_a_broken_log() -> None:
    log = sarif_log(every_kind_of_finding(), tool_version="0")
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["results"][1]["message"]
    errors = list(_validator().iter_errors(log))
    assert len(errors) == 2
