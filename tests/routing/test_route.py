"""Routing: every row of seed 000's routing table and every branch of its decision flow."""

from __future__ import annotations

from typing import Any

import pytest

from baton.config.schema import PolicyConfig, RoutingConfig
from baton.routing import RULES, RouteInputs, Rule, route
from baton.task import Task

CLEAR = {"scope": ["apps/data-collector/src/modules/system/*"], "acceptance": ["returns 200"]}


def task(**fields: Any) -> Task:
    return Task(**{"goal": "Add GET /health endpoint returning service status", **fields})


# The seed's table: task kind → who does it (given an otherwise clear, single-module task).
TABLE = [
    ("アーキテクチャ設計", "lead"),
    ("セキュリティ関連の変更", "lead"),
    ("複数モジュールの統合", "lead"),
    ("コードレビュー（アーキテクチャ）", "lead"),
    ("コードレビュー（バグ/性能）", "worker"),
    ("単一モジュールの実装", "worker"),
    ("テストコード生成", "worker"),
    ("スコープ限定のリファクタリング", "worker"),
]


@pytest.mark.parametrize(("kind", "expected"), TABLE)
def test_routing_table_row(kind: str, expected: str) -> None:
    decision = route(task(kind=kind, **CLEAR))
    assert decision.route == expected
    assert decision.rule == ("lead-kind" if expected == "lead" else "worker")


@pytest.mark.parametrize(
    ("kind", "sandbox"),
    [
        ("bug/performance review", "read-only"),
        ("single-module implementation", "workspace-write"),
        ("test generation", "workspace-write"),
        ("scoped refactoring", "workspace-write"),
        (None, "workspace-write"),
    ],
)
def test_review_kinds_get_a_read_only_sandbox(kind: str | None, sandbox: str) -> None:
    assert route(task(kind=kind, **CLEAR)).sandbox == sandbox


# The seed's flow, in Baton's order: each case is (task fields, route, rule, a reason fragment).
FLOW = [
    ({"scope": [".claude/settings.json"]}, "lead", "protected-path", "'.claude/**'"),
    ({"scope": ["infra/terraform/*.tf"]}, "lead", "protected-path", "'infra/**'"),
    ({"scope": ["config/.env.production"]}, "lead", "protected-path", "'.env.*'"),
    ({"scope": ["deploy/secrets/*"]}, "lead", "protected-path", "'**/secrets/**'"),
    ({"scope": ["certs/server.pem"]}, "lead", "protected-path", "'*.pem'"),
    ({"scope": ["src/auth/*"]}, "lead", "security-sensitive", "'**/auth/**'"),
    (
        {"goal": "Add a password reset flow"},
        "lead",
        "security-sensitive",
        "goal mentions 'password'",
    ),
    ({"acceptance": ["Tokens expire after 1h"]}, "lead", "security-sensitive", "'token'"),
    ({"constraints": ["Use OAuth for login"]}, "lead", "security-sensitive", "'oauth'"),
    ({"scope": ["src/a/*", "src/b/*"]}, "lead", "multi-module", "2 modules: src/a, src/b"),
    ({"scope": ["apps/*/src/index.ts"]}, "lead", "multi-module", "spans every module 'apps/*'"),
    ({"scope": ["packages"]}, "lead", "multi-module", "spans every module 'packages/*'"),
    ({"scope": ["**/*.py"]}, "lead", "multi-module", "spans every module"),
    ({"kind": "architecture design"}, "lead", "lead-kind", "'architecture-design'"),
    ({"acceptance": []}, "split", "unclear", "no acceptance criteria"),
    ({"scope": []}, "split", "unclear", "no scope"),
    ({"scope": [], "acceptance": []}, "split", "unclear", "no acceptance criteria"),
    ({}, "worker", "worker", "1 acceptance criterion and a single-module scope"),
    ({"scope": ["src/a/*", "tests/a/*"]}, "worker", "worker", "single-module"),
    ({"scope": ["README.md"]}, "worker", "worker", "single-module"),
    ({"goal": "Fix the author list"}, "worker", "worker", "single-module"),
    ({"goal": "Speed up the tokenizer"}, "worker", "worker", "single-module"),
    ({"goal": "Rotate api_tokens daily"}, "lead", "security-sensitive", "mentions 'token'"),
    ({"goal": "Add Authentication"}, "lead", "security-sensitive", "'authentication'"),
]


@pytest.mark.parametrize(("fields", "expected", "rule", "reason"), FLOW)
def test_decision_flow_branch(
    fields: dict[str, Any], expected: str, rule: str, reason: str
) -> None:
    decision = route(task(**{**CLEAR, **fields}))
    assert (decision.route, decision.rule) == (expected, rule)
    assert any(reason in line for line in decision.reasons), decision.reasons


def test_the_trace_shows_every_rule_up_to_the_one_that_decided() -> None:
    decision = route(task(scope=["src/a/*", "src/b/*"], acceptance=["x"]))
    assert [(c.rule, c.fired) for c in decision.trace] == [
        ("protected-path", False),
        ("security-sensitive", False),
        ("multi-module", True),
    ]
    worker = route(task(**CLEAR))
    assert [c.rule for c in worker.trace] == [*(rule.name for rule in RULES), "worker"]
    assert worker.to_dict()["trace"][0] == {
        "rule": "protected-path",
        "fired": False,
        "detail": "scope reaches no protected or denied path",
    }


def test_protected_paths_win_over_everything_after_them() -> None:
    decision = route(task(scope=[".claude/*"], kind="test generation"))
    assert decision.rule == "protected-path" and decision.route == "lead"


def test_the_task_names_its_worker() -> None:
    assert route(task(worker="codex-fast", **CLEAR)).worker == "codex-fast"


@pytest.mark.parametrize(
    ("routing", "policy", "fields", "rule"),
    [
        (
            {"modules": ["services/*"]},
            {},
            {"scope": ["services/x/*", "services/y/*"]},
            "multi-module",
        ),
        ({"modules": ["services/*"]}, {}, {"scope": ["src/a/*", "src/b/*"]}, "worker"),
        ({"security_keywords": ["billing"]}, {}, {"goal": "Change billing"}, "security-sensitive"),
        ({"security_keywords": []}, {}, {"goal": "Rotate the token"}, "worker"),
        (
            {"security_paths": ["**/payments/**"]},
            {},
            {"scope": ["src/payments/*"]},
            "security-sensitive",
        ),
        ({"lead_kinds": ["test generation"]}, {}, {"kind": "test-generation"}, "lead-kind"),
        ({"lead_kinds": []}, {}, {"kind": "architecture design"}, "worker"),
        (
            {},
            {"protected_paths": ["db/migrations/**"]},
            {"scope": ["db/migrations/*"]},
            "protected-path",
        ),
        ({}, {"protected_paths": []}, {"scope": ["infra/readme.md"]}, "worker"),
        ({}, {"denied_paths": ["*.sqlite"]}, {"scope": ["data/app.sqlite"]}, "protected-path"),
    ],
)
def test_rules_follow_the_configuration(
    routing: dict[str, Any], policy: dict[str, Any], fields: dict[str, Any], rule: str
) -> None:
    decision = route(
        task(**{**CLEAR, **fields}),
        RoutingConfig.model_validate(routing),
        PolicyConfig.model_validate(policy),
    )
    assert decision.rule == rule, decision.reasons


def test_a_project_rule_joins_the_default_list() -> None:
    def migrations(inputs: RouteInputs) -> list[str]:
        return ["database migrations stay with the lead"] if "migration" in inputs.task.goal else []

    rules = [*RULES[:-1], Rule("migrations", "lead", migrations, "no migration"), RULES[-1]]
    decision = route(task(**{**CLEAR, "goal": "Write the user migration"}), rules=rules)
    assert (decision.route, decision.rule) == ("lead", "migrations")
    assert decision.trace[-1].detail == "database migrations stay with the lead"
    assert route(task(**CLEAR), rules=rules).route == "worker"
