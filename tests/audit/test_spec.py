"""Stage 1 on paths: scope, denied and protected globs, renames, symlinks and control characters."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from baton.audit import Finding, audit_changes
from baton.config.schema import PolicyConfig

DENIED = PolicyConfig().denied_paths  # .env, .env.*, **/secrets/**, *.pem, *.key
PROTECTED = PolicyConfig().protected_paths  # .claude/**, infra/**
SCOPE = ["src/health.py", "src/billing/**"]


@dataclass(frozen=True)
class FakeChange:
    path: str
    status: str = "modified"
    old_path: str | None = None
    is_symlink: bool = False
    symlink_target: str | None = None


def link(path: str, target: str | None, status: str = "added") -> FakeChange:
    return FakeChange(path, status, is_symlink=True, symlink_target=target)


def rules(findings: list[Finding]) -> list[tuple[str, str | None, str]]:
    return [(f.rule, f.path, f.stage) for f in findings]


CASES = [
    ("in-scope file", [FakeChange("src/health.py")], SCOPE, []),
    ("in-scope glob", [FakeChange("src/billing/a/b.py", "added")], SCOPE, []),
    (
        "out-of-scope file",
        [FakeChange("src/other.py")],
        SCOPE,
        [("out-of-scope", "src/other.py", "spec")],
    ),
    ("anchored scope glob", [FakeChange("lib/src/health.py")], SCOPE, [
        ("out-of-scope", "lib/src/health.py", "spec"),
    ]),
    ("empty scope", [FakeChange("src/health.py")], [], [
        ("out-of-scope", "src/health.py", "spec"),
    ]),
    ("rename inside scope", [FakeChange("src/billing/b.py", "renamed", "src/billing/a.py")],
     SCOPE, []),
    ("rename out of scope", [FakeChange("lib/a.py", "renamed", "src/billing/a.py")], SCOPE, [
        ("out-of-scope", "lib/a.py", "spec"),
    ]),
    ("rename into scope", [FakeChange("src/billing/a.py", "renamed", "lib/a.py")], SCOPE, [
        ("out-of-scope", "lib/a.py", "spec"),
    ]),
    ("rename from a denied path", [FakeChange("src/billing/db", "renamed", "secrets/db")], SCOPE, [
        ("denied-path", "secrets/db", "security"),
        ("out-of-scope", "secrets/db", "spec"),
    ]),
    ("rename to a denied path", [FakeChange("src/billing/k.pem", "renamed", "src/billing/k")],
     SCOPE, [("denied-path", "src/billing/k.pem", "security")]),
    (".env added", [FakeChange(".env", "added")], SCOPE, [
        ("denied-path", ".env", "security"),
        ("out-of-scope", ".env", "spec"),
    ]),
    ("denied file deleted", [FakeChange("src/billing/.env", "deleted")], SCOPE, [
        ("denied-path", "src/billing/.env", "security"),
    ]),
    ("denied file type-changed", [FakeChange("config/.env.local", "type-changed")], ["**"], [
        ("denied-path", "config/.env.local", "security"),
    ]),
    ("key in scope", [FakeChange("src/billing/id.key", "added")], SCOPE, [
        ("denied-path", "src/billing/id.key", "security"),
    ]),
    ("protected even in scope", [FakeChange("infra/main.tf")], ["infra/**"], [
        ("protected-path", "infra/main.tf", "spec"),
    ]),
    ("protected .claude", [FakeChange(".claude/settings.json")], ["**"], [
        ("protected-path", ".claude/settings.json", "spec"),
    ]),
    ("symlink to /etc/passwd", [link("src/billing/l", "/etc/passwd")], SCOPE, [
        ("symlink-escape", "src/billing/l", "security"),
    ]),
    ("symlink to ../../x", [link("src/l", "../../x")], ["src/**"], [
        ("symlink-escape", "src/l", "security"),
    ]),
    ("symlink to ..", [link("l", "..")], ["**"], [("symlink-escape", "l", "security")]),
    ("symlink with no target", [link("src/l", None)], ["src/**"], [
        ("symlink-escape", "src/l", "security"),
    ]),
    ("symlink to .env", [link("src/l", "../.env")], ["src/**"], [
        ("denied-path", "src/l", "security"),
    ]),
    ("symlink into secrets", [link("src/l", "../config/secrets/db.txt")], ["src/**"], [
        ("denied-path", "src/l", "security"),
    ]),
    ("symlink into .claude", [link("src/l", "../.claude/settings.json")], ["src/**"], [
        ("protected-path", "src/l", "spec"),
    ]),
    ("symlink to an in-scope file", [link("src/billing/h.py", "../health.py")], SCOPE, []),
    ("symlink made by type change", [link("src/health.py", "/etc", "type-changed")], SCOPE, [
        ("symlink-escape", "src/health.py", "security"),
    ]),
    ("deleted symlink", [link("src/billing/l", "/etc/passwd", "deleted")], SCOPE, []),
    ("newline hides no .env", [FakeChange("src/billing/\n/.env", "added")], SCOPE, [
        ("denied-path", "src/billing/\n/.env", "security"),
    ]),
    ("control char leaves scope", [FakeChange("src/health.py\x1b")], SCOPE, [
        ("out-of-scope", "src/health.py\x1b", "spec"),
    ]),
    ("symlink target with a newline", [link("src/l", "../a\n/.env")], ["src/**"], [
        ("denied-path", "src/l", "security"),
    ]),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "scope", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_each_rule_on_changed_paths(
    changes: list[FakeChange], scope: list[str], expected: list[tuple[str, str, str]]
) -> None:
    found = audit_changes(changes, scope=scope, denied=DENIED, protected=PROTECTED)
    assert rules(found) == expected


def test_findings_are_sorted_by_path_then_rule_and_not_repeated() -> None:
    changes = [FakeChange("z.py"), FakeChange(".env", "added"), FakeChange("z.py"), link("a", "/")]
    found = audit_changes(changes, scope=SCOPE, denied=DENIED, protected=PROTECTED)
    assert [(f.path, f.rule) for f in found] == [
        (".env", "denied-path"),
        (".env", "out-of-scope"),
        ("a", "out-of-scope"),
        ("a", "symlink-escape"),
        ("z.py", "out-of-scope"),
    ]


@pytest.mark.parametrize(
    ("change", "scope", "words"),
    [
        (FakeChange("src/other.py"), SCOPE, ["src/other.py", "outside", "src/health.py", "revert"]),
        (FakeChange("src/x.py"), [], ["src/x.py", "no path is in scope"]),
        (FakeChange("lib/a.py", "renamed", "src/a.py"), ["src/**"], ["lib/a.py", "src/a.py"]),
        (FakeChange(".env", "added"), ["**"], [".env", "denied", "'.env'"]),
        (FakeChange("infra/a.tf"), ["**"], ["infra/a.tf", "protected", "'infra/**'", "revert"]),
        (link("src/l", "/etc/passwd"), ["**"], ["src/l", "/etc/passwd", "outside the workspace"]),
        (FakeChange("a\n/.env"), ["**"], ["a\\x0a/.env"]),
    ],
)
def test_messages_name_the_path_the_rule_and_the_fix(
    change: FakeChange, scope: list[str], words: list[str]
) -> None:
    [finding] = audit_changes([change], scope=scope, denied=DENIED, protected=PROTECTED)
    for word in words:
        assert word in finding.message
    assert "\n" not in finding.message


def test_the_workspace_change_type_is_accepted() -> None:
    from baton.delegation.workspace import Change  # the real peer the driver passes in

    changes = [Change("src/other.py", "modified", 0o100644)]
    found = audit_changes(changes, scope=SCOPE, denied=DENIED, protected=PROTECTED)
    assert rules(found) == [("out-of-scope", "src/other.py", "spec")]
