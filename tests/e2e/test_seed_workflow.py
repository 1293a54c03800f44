"""The seed's workflow end to end, with the real Claude Code as the lead (issue 8).

Claude Code (pinned, print mode), configured only by the files `baton export claude` and
`baton export claude-settings` wrote, routes and delegates the seed's example task — a health
endpoint that checks the database, with unit tests for success and database failure — through
`baton serve`, which runs the real Codex jailed by bubblewrap in its own workspace. On a pass the
lead applies the run; after two failed attempts it does the work itself. Either way the service's
own tests pass at the end. Only the two models are scripted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.delegation.pipeline.conftest import git
from tests.e2e.conftest import Session, payload, run_claude, the_run
from tests.fixtures.models.anthropic_server import Block, Turn, text, tool_results, tool_use
from tests.fixtures.models.responses_server import apply_patch_call, message, shell_call, turn

pytestmark = pytest.mark.npm

HEALTH = '''"""The service's health check."""

import sqlite3

from app import db


def health() -> dict[str, str]:
    """{"status": "ok"} when the database answers, else "error" and what went wrong."""
    try:
        db.ping()
    except sqlite3.Error as error:
        return {"status": "error", "detail": str(error)}
    return {"status": "ok"}
'''
HEALTH_TESTS = """import sqlite3
from pathlib import Path

import pytest

from app import db
from app.health import health


def test_ok_when_the_database_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "DATABASE", str(tmp_path / "service.db"))
    assert health() == {"status": "ok"}


def test_reports_a_database_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def down() -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(db, "ping", down)
    assert health() == {"status": "error", "detail": "database is locked"}
"""
# What a worker that ignores the database writes: it passes the first check, never the second.
NAIVE_HEALTH = '''"""The service's health check."""


def health() -> dict[str, str]:
    """The service status."""
    return {"status": "ok"}
'''
CHECK_OK = (
    "python -c \"from app import db, health; db.DATABASE = ':memory:'; "
    "assert health.health() == {'status': 'ok'}\""
)
CHECK_DOWN = (
    "python -c \"from app import db, health; db.DATABASE = '/nonexistent/service.db'; "
    "assert health.health()['status'] == 'error'\""
)
DOWN_CRITERION = "health() reports the failure when the database does not answer"
TASK: dict[str, Any] = {
    "goal": "Add a health endpoint that checks the database, with unit tests for success "
    "and database failure",
    "scope": ["app/health.py", "tests/test_health.py"],
    "acceptance": [
        {"text": "health() returns ok when the database answers", "check": CHECK_OK},
        {"text": DOWN_CRITERION, "check": CHECK_DOWN},
    ],
    "constraints": ["No new dependencies"],
}
CHANGED = ["app/health.py", "tests/test_health.py"]


def add_files(files: dict[str, str]) -> str:
    """An apply_patch envelope that adds these files."""
    added = "".join(
        f"*** Add File: {path}\n" + "".join(f"+{line}\n" for line in content.splitlines())
        for path, content in files.items()
    )
    return f"*** Begin Patch\n{added}*** End Patch\n"


def apply_the_run(delegate: Block, applies: list[Block]) -> Turn:
    """The lead's turn after `delegate`: apply the run its result names (the call goes in
    `applies`, for the test to find its answer)."""

    def apply_it(request: dict[str, Any]) -> list[Block]:
        run_id = payload(tool_results(request)[delegate["id"]])["run_id"]
        applies.append(tool_use("mcp__baton__apply", {"run_id": run_id}))
        return applies[-1:]

    return apply_it


def service_tests(repo: Path) -> subprocess.CompletedProcess[str]:
    """The service's own test suite, run in the lead's tree."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=repo, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def assert_jailed_and_cleaned_up(worker_log: str) -> None:
    """The worker ran in the jail, and every workspace the run announced is gone."""
    assert "unjailed" not in worker_log
    ready = "workspace ready: "
    spaces = [Path(line.removeprefix(ready)) for line in worker_log.splitlines() if ready in line]
    assert spaces and not any(path.exists() for path in spaces)


def assert_codex_got_the_task(session: Session) -> None:
    """The task the lead's model wrote reached Codex, with Baton's rules around it."""
    first = session.worker.model_requests[0]
    told = "\n".join(first.input_texts("developer") + first.input_texts("user"))
    assert TASK["goal"] in told and "SCOPE RULES" in told and CHECK_DOWN in told


def test_the_lead_delegates_the_seed_task_applies_the_passed_run_and_the_tests_pass(
    service: Path,
) -> None:
    route = tool_use("mcp__baton__route", TASK)
    delegate = tool_use("mcp__baton__delegate", TASK)
    apply: list[Block] = []
    done = text("The health endpoint is in.")
    lead: list[Turn] = [[route], [delegate], apply_the_run(delegate, apply), [done]]
    patch = add_files({"app/health.py": HEALTH, "tests/test_health.py": HEALTH_TESTS})
    # The worker first looks for the lead's tree: in the jail it is not there.
    probe = f"cat {service / 'app' / 'db.py'}; echo probed"
    worker = [
        turn(shell_call(probe)),
        turn(apply_patch_call(patch)),
        turn(message("Added health() and its tests.")),
    ]
    session = run_claude(service, lead, worker)

    routed, verdict = payload(session.answer(route)), payload(session.answer(delegate))
    applied = payload(session.answer(apply[0]))
    assert not session.outcome["is_error"] and session.outcome["permission_denials"] == []
    assert routed["route"] == "worker"
    assert verdict["verdict"] == "passed", verdict
    (attempt,) = verdict["attempts"]
    assert [check["passed"] for check in attempt["checks"]] == [True, True]
    assert [(gate["name"], gate["status"]) for gate in attempt["gates"]] == [("test", "passed")]
    assert applied["applied"] == CHANGED
    assert_codex_got_the_task(session)
    probed = session.worker.model_requests[1].tool_outputs()[0]
    assert "probed" in probed and "No such file or directory" in probed, probed
    assert "def ping" not in probed  # the lead's code was out of the jailed worker's sight

    assert (service / "app" / "health.py").read_text() == HEALTH
    assert (service / "tests" / "test_health.py").read_text() == HEALTH_TESTS
    assert git(service, "status", "--porcelain").splitlines() == [f"?? {p}" for p in CHANGED]
    tests = service_tests(service)
    assert tests.returncode == 0 and "3 passed" in tests.stdout, tests.stdout
    run, worker_log = the_run(service)
    assert run.id == verdict["run_id"] and run.verdict == "passed" and run.worker == "codex"
    assert run.applied_at is not None
    assert_jailed_and_cleaned_up(worker_log)


def test_after_two_failed_checks_the_lead_falls_back_and_makes_the_change_itself(
    service: Path,
) -> None:
    route = tool_use("mcp__baton__route", TASK)
    delegate = tool_use("mcp__baton__delegate", TASK)
    apply: list[Block] = []
    writes = [
        tool_use("Write", {"file_path": str(service / path), "content": content})
        for path, content in (("app/health.py", HEALTH), ("tests/test_health.py", HEALTH_TESTS))
    ]

    lead: list[Turn] = [
        [route],
        [delegate],
        apply_the_run(delegate, apply),
        writes,
        [text("Done it myself.")],
    ]
    naive = add_files({"app/health.py": NAIVE_HEALTH})
    worker = [
        turn(apply_patch_call(naive)),
        turn(message("Added health().")),
        turn(message("health() already returns ok; nothing to change.")),  # the retry
    ]
    session = run_claude(service, lead, worker, allowed=("Write",))

    verdict, refused = payload(session.answer(delegate)), session.answer(apply[0])
    assert not session.outcome["is_error"] and session.outcome["permission_denials"] == []
    assert verdict["verdict"] == "fallback", verdict
    assert [a["outcome"] for a in verdict["attempts"]] == ["retry", "fallback"]
    for attempt in verdict["attempts"]:
        (finding,) = attempt["findings"]
        assert finding["rule"] == "acceptance-check" and DOWN_CRITERION in finding["message"]
    assert "yourself" in verdict["next_step"]
    assert refused["is_error"] and "only a passed run" in payload(refused)["error"]
    assert all(not session.answer(write).get("is_error") for write in writes)
    retry = session.worker.model_requests[2]
    assert DOWN_CRITERION in "\n".join(retry.input_texts("user") + retry.input_texts("developer"))
    assert_codex_got_the_task(session)

    assert (service / "app" / "health.py").read_text() == HEALTH
    assert (service / "tests" / "test_health.py").read_text() == HEALTH_TESTS
    tests = service_tests(service)
    assert tests.returncode == 0 and "3 passed" in tests.stdout, tests.stdout
    run, worker_log = the_run(service)
    assert run.id == verdict["run_id"] and run.verdict == "fallback" and run.attempts == 2
    assert run.applied_at is None
    assert_jailed_and_cleaned_up(worker_log)
