"""`baton runs` and `baton runs show RUN`: the ledger's history as a table or JSON."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from baton.ledger import SqliteLedger
from tests.conftest import run_baton


def baton_runs(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_baton(cwd, "runs", *args)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    return tmp_path


def record(project: Path, worker: str, verdict: str | None) -> str:
    """One run in the project's default ledger; `verdict=None` leaves it running."""
    ledger = SqliteLedger(project / ".baton" / "ledger.db")
    run_id = ledger.start_run({"goal": "Add /health", "kind": "test generation"},
                              {"route": "worker"}, worker, "gpt-5")  # fmt: skip
    attempt = ledger.start_attempt(run_id, 1, "thread-1")
    ledger.record_finding(attempt, "spec", "scope", "docs/x.md", "outside scope")
    ledger.record_gate(attempt, "lint", "passed", 40, "ok")
    if verdict is not None:
        ledger.finish_attempt(attempt, verdict, 90)
        ledger.finish_run(run_id, verdict, 1, 100, {"files": 1})
    ledger.close()
    return run_id


def test_no_ledger_is_an_empty_list_and_creates_nothing(project: Path) -> None:
    done = baton_runs(project, "--json")
    assert (done.returncode, json.loads(done.stdout)) == (0, [])
    assert baton_runs(project).stdout.strip() == "no runs recorded yet"
    missing = baton_runs(project, "show", "20261122T000000000000Z-00000000")
    assert missing.returncode == 2 and "no ledger recorded" in missing.stderr
    assert not (project / ".baton").exists()


def test_json_lists_runs_newest_first_with_filters(project: Path) -> None:
    first = record(project, "codex", "passed")
    second = record(project, "claude", "fallback")
    runs = json.loads(baton_runs(project, "--json").stdout)
    assert [run["id"] for run in runs] == [second, first]
    assert runs[1]["worker"] == "codex" and runs[1]["verdict"] == "passed"
    assert runs[1]["kind"] == "test generation" and runs[1]["attempts"] == 1
    only = json.loads(baton_runs(project, "--json", "--worker", "codex").stdout)
    assert [run["id"] for run in only] == [first]
    only = json.loads(baton_runs(project, "--json", "--verdict", "fallback").stdout)
    assert [run["id"] for run in only] == [second]
    assert len(json.loads(baton_runs(project, "--json", "--limit", "1").stdout)) == 1


def test_the_table_names_each_run_and_its_state(project: Path) -> None:
    finished = record(project, "codex", "passed")
    running = record(project, "codex", None)
    done = baton_runs(project)
    assert done.returncode == 0, done.stderr
    assert finished in done.stdout and running in done.stdout
    assert "passed" in done.stdout and "running" in done.stdout


def test_show_gives_one_run_in_full(project: Path) -> None:
    run_id = record(project, "codex", "passed")
    run = json.loads(baton_runs(project, "show", run_id, "--json").stdout)
    assert run["id"] == run_id and run["task"]["goal"] == "Add /health"
    (attempt,) = run["attempt_records"]
    assert attempt["findings"][0]["path"] == "docs/x.md"
    assert attempt["gates"][0]["name"] == "lint"
    text = baton_runs(project, "show", run_id).stdout
    assert "spec/scope docs/x.md: outside scope" in text and "gate lint: passed" in text


def test_show_of_an_unknown_run_exits_2_with_a_hint(project: Path) -> None:
    record(project, "codex", "passed")
    done = baton_runs(project, "show", "nope")
    assert done.returncode == 2 and "no run 'nope'" in done.stderr
    assert "baton runs" in done.stderr


def test_the_ledger_path_comes_from_baton_toml(project: Path) -> None:
    (project / "baton.toml").write_text('[ledger]\npath = "state/runs.db"\n')
    ledger = SqliteLedger(project / "state" / "runs.db")
    run_id = ledger.start_run({"goal": "g"}, {"route": "worker"}, "codex", None)
    ledger.close()
    (project / "sub").mkdir()
    runs = json.loads(baton_runs(project / "sub", "--json").stdout)
    assert [run["id"] for run in runs] == [run_id]
