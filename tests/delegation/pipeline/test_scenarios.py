"""The delegation pipeline end to end, scenarios (a)–(h) of the issue, with both Codex adapters.

Every scenario runs the real Codex CLI (current Codex through `codex exec --json`, Codex 0.153
through `codex mcp-server`) jailed with bubblewrap, against a scripted Responses API that makes
it really edit files; then it checks the verdict, the ledger and the lead's tree.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import anyio
import pytest
from tests.delegation._git import git, write
from tests.delegation.pipeline.conftest import Harness
from tests.fixtures.models.responses_server import (
    HANG,
    Item,
    ResponsesServer,
    apply_patch_call,
    message,
    shell_call,
    turn,
)

from baton.delegation.apply import ApplyRefused
from baton.delegation.result import DelegationResult
from baton.errors import UsageError
from baton.task import parse_task

pytestmark = [pytest.mark.npm, pytest.mark.anyio]

# A scenario makes up to four Codex calls of a few seconds each; this bounds a stuck one.
SCENARIO_LIMIT_SEC = 180

# The seed's example task, in its delegation template.
CHECK = "python -c \"from src.health import health; assert health() == {'status': 'ok'}\""
SEED_TASK = parse_task(
    f"""[Task]
- Scope: src/health.py
- Goal: Add a health() function returning the service status
[Acceptance Criteria]
- [ ] health() returns {{"status": "ok"}} (check: `{CHECK}`)
- [ ] the function is documented
[Constraints]
- No new dependencies
"""
)
HEALTH = (
    '"""Health."""\n\n\ndef health() -> dict[str, str]:\n'
    '    """The service status."""\n    return {"status": "ok"}\n'
)


VERSION_PATCH = (
    "*** Begin Patch\n*** Update File: src/health.py\n@@\n"
    '     return {"status": "ok"}\n+VERSION = "1.0"\n*** End Patch\n'
)


def add_file(path: str, text: str) -> str:
    """An apply_patch envelope that adds one file."""
    lines = "".join(f"+{line}\n" for line in text.splitlines())
    return f"*** Begin Patch\n*** Add File: {path}\n{lines}*** End Patch\n"


def update_readme(old: str, new: str) -> str:
    """An apply_patch envelope that rewrites README.md's one line."""
    return f"*** Begin Patch\n*** Update File: README.md\n@@\n-{old}\n+{new}\n*** End Patch\n"


def home_with_a_key(parent: Path) -> Path:
    """The user's real home, beside the lead: an SSH key nothing in the jail may read."""
    home = parent / "home"
    write(home, ".ssh/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n")
    return home


async def run_delegate(
    harness: Harness, server: ResponsesServer, **review: object
) -> DelegationResult:
    pipeline = harness.pipeline(server, **review)
    with anyio.fail_after(SCENARIO_LIMIT_SEC):
        return await pipeline.delegate(SEED_TASK, on_progress=harness.record)


async def test_a_seed_task_passes_first_time_and_applies(harness: Harness) -> None:
    script = [turn(apply_patch_call(add_file("src/health.py", HEALTH))), turn(message("Done."))]
    with ResponsesServer(script) as server:
        pipeline = harness.pipeline(server)
        with anyio.fail_after(SCENARIO_LIMIT_SEC):
            result = await pipeline.delegate(SEED_TASK, on_progress=harness.record)
        assert not (harness.repo / "src" / "health.py").exists()  # nothing until `apply`
        applied = await pipeline.apply(result.run_id[:12])
        first = server.model_requests[0]

    assert result.verdict == "passed", result.to_dict()
    assert len(result.attempts) == 1 and result.attempts[0].gates[0].status == "passed"
    assert result.unchecked == (
        {"criterion": "the function is documented", "worker_claim": "Done."},
    )
    assert applied.files == ("src/health.py",)
    assert (harness.repo / "src" / "health.py").read_text() == HEALTH
    assert "SCOPE RULES" in "\n".join(first.input_texts("developer") + first.input_texts("user"))
    record = harness.ledgers[0].get_run(result.run_id)
    assert (record.verdict, record.attempts, record.worker) == ("passed", 1, "codex")
    assert record.thread_id == result.thread_id and record.thread_id
    assert record.applied_at is not None
    assert record.diff_stat and record.diff_stat["files_changed"] == 1
    assert '+    return {"status": "ok"}' in harness.ledgers[0].get_artifact(record.id, "diff")
    assert all(not path.exists() for path in harness.workspaces())
    assert any(m.startswith("worker: ") for m in harness.progress)
    assert not any("unjailed" in m for m in harness.progress)


async def test_b_out_of_scope_edit_is_named_in_the_retry_which_then_passes(
    harness: Harness,
) -> None:
    script = [
        turn(apply_patch_call(add_file("src/health.py", HEALTH))),
        turn(apply_patch_call(update_readme("# service", "# service (healthy)"))),
        turn(message("Added health and touched the README.")),
        turn(apply_patch_call(update_readme("# service (healthy)", "# service"))),
        turn(message("Reverted README.md.")),
    ]
    with ResponsesServer(script) as server:
        result = await run_delegate(harness, server)
        retry = server.model_requests[3]

    assert result.verdict == "passed", result.to_dict()
    first, second = result.attempts
    assert first.outcome == "retry" and [f.path for f in first.findings] == ["README.md"]
    assert first.findings[0].rule == "out-of-scope"
    told = "\n".join(retry.input_texts("user") + retry.input_texts("developer"))
    assert "README.md" in told and "attempt 1" in told.lower()
    assert second.outcome == "passed" and not second.findings
    record = harness.ledgers[0].get_run(result.run_id)
    assert [a.verdict for a in record.attempt_records] == ["retry", "passed"]
    assert record.attempt_records[0].findings[0].path == "README.md"
    assert "README.md" not in harness.ledgers[0].get_artifact(record.id, "diff")


async def test_c_two_spec_failures_fall_back_and_leave_the_lead_tree_alone(
    harness: Harness,
) -> None:
    script = [
        turn(apply_patch_call(update_readme("# service", "# changed"))),
        turn(message("Changed the README.")),
        turn(message("I think the README change is needed.")),
    ]
    before = git(harness.repo, "status", "--porcelain")
    with ResponsesServer(script) as server:
        result = await run_delegate(harness, server)

    assert result.verdict == "fallback", result.to_dict()
    assert result.exit_code == 1
    assert [a.outcome for a in result.attempts] == ["retry", "fallback"]
    assert "yourself" in result.next_step()
    assert (harness.repo / "README.md").read_text() == "# service\n"
    assert git(harness.repo, "status", "--porcelain") == before
    with pytest.raises(UsageError, match="only a passed run"):
        await harness.pipeline(server).apply(result.run_id)


async def test_d_failing_tests_give_needs_fix_with_the_gate_output(harness: Harness) -> None:
    wrong = 'def health() -> dict[str, str]:\n    return {"status": "down"}\n'
    task = parse_task("[Task]\n- Scope: src/health.py\n- Goal: add health()\n"
                      "[Acceptance Criteria]\n- [ ] tests pass\n")  # fmt: skip
    script = [turn(apply_patch_call(add_file("src/health.py", wrong))), turn(message("Done."))]
    with ResponsesServer(script) as server:
        pipeline = harness.pipeline(server)
        with anyio.fail_after(SCENARIO_LIMIT_SEC):
            result = await pipeline.delegate(task, on_progress=harness.record)

    assert result.verdict == "needs_fix", result.to_dict()
    (gate,) = result.attempts[0].gates
    assert gate.status == "failed" and "1 failed" in gate.output_tail
    assert "1 failed" in result.to_dict()["attempts"][0]["gates"][0]["output_tail"]
    record = harness.ledgers[0].get_run(result.run_id)
    assert record.attempt_records[0].gates[0].status == "failed"
    assert "1 failed" in harness.ledgers[0].get_artifact(result.run_id, "gates.log")
    assert not (harness.repo / "src" / "health.py").exists()


async def test_e_the_jailed_worker_finds_no_secret_and_cannot_write_outside(
    harness: Harness, tmp_path: Path
) -> None:
    home = home_with_a_key(tmp_path)
    outside = harness.repo.parent / "outside.txt"
    probe = (
        f"cat .env; cat {harness.repo}/.env; cat {home}/.ssh/id_rsa; cat ~/.ssh/id_rsa; "
        f"echo owned > {harness.repo}/owned.txt; echo owned > {outside}; ls -a"
    )
    script = [
        turn(shell_call(probe)),
        turn(apply_patch_call(add_file("src/health.py", HEALTH))),
        turn(message("Done.")),
    ]
    with ResponsesServer(script) as server:
        pipeline = harness.pipeline(server)
        pipeline.env["HOME"] = str(home)
        with anyio.fail_after(SCENARIO_LIMIT_SEC):
            result = await pipeline.delegate(SEED_TASK, on_progress=harness.record)
        seen = server.model_requests[1].tool_outputs()[0]

    assert "do-not-leak-31337" not in seen and "OPENSSH" not in seen
    assert ".env: No such file or directory" in seen
    assert f"{home}/.ssh/id_rsa: No such file or directory" in seen
    assert not (harness.repo / "owned.txt").exists() and not outside.exists()
    assert result.verdict == "passed", result.to_dict()  # the legitimate change still lands
    assert (harness.repo / ".env").read_text() == "SECRET_TOKEN=do-not-leak-31337\n"


ESCAPE_TEST = """import os
import socket

import pytest


def test_the_lead_repository_and_the_home_are_not_there() -> None:
    for path in ({env_file}, {key}):
        with pytest.raises(OSError):
            open(path).read()


def test_nothing_outside_the_workspace_can_be_written() -> None:
    with pytest.raises(OSError):
        open({owned}, "w").write("owned")


def test_no_network_and_no_secret_in_the_environment() -> None:
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", {port}), timeout=2)
    assert "SCRIPTED_API_KEY" not in os.environ and "LEAD_SECRET" not in os.environ
"""


WITH_TESTS = SEED_TASK.model_copy(update={"scope": ("src/health.py", "tests/test_escape.py")})


async def test_e_the_worker_s_tests_run_jailed_by_the_gates_too(
    harness: Harness, tmp_path: Path
) -> None:
    home = home_with_a_key(tmp_path)
    owned = harness.repo / "owned.txt"
    script: list[list[Item]] = []  # filled once the server's port, which the test names, is known
    with ResponsesServer(script) as server:
        port = server.base_url.split(":")[2].split("/")[0]
        escape = ESCAPE_TEST.format(
            env_file=repr(str(harness.repo / ".env")), key=repr(str(home / ".ssh" / "id_rsa")),
            owned=repr(str(owned)), port=port,
        )  # fmt: skip
        script.extend(
            [
                turn(apply_patch_call(add_file("src/health.py", HEALTH))),
                turn(apply_patch_call(add_file("tests/test_escape.py", escape))),
                turn(message("Done.")),
            ]
        )
        pipeline = harness.pipeline(server)
        pipeline.env |= {"HOME": str(home), "LEAD_SECRET": "do-not-leak-31337"}
        with anyio.fail_after(SCENARIO_LIMIT_SEC):
            result = await pipeline.delegate(WITH_TESTS, on_progress=harness.record)

    gate = result.attempts[0].gates[0]
    assert result.verdict == "passed", gate.output_tail  # every escape in the test failed
    assert "4 passed" in gate.output_tail  # the worker's escape tests and the project's test ran
    assert not owned.exists()


async def test_f_a_secret_written_by_the_worker_is_blocked(harness: Harness) -> None:
    token = "ghp_" + "Zq4T7mXw9KpL2vR8nB3cY6dF1gH5jA0sE7uI"
    leaky = HEALTH + f'\nGITHUB_TOKEN = "{token}"\n'
    claim = f"Done; the token is {token}."  # the worker's own words reach the lead and ledger
    script = [turn(apply_patch_call(add_file("src/health.py", leaky))), turn(message(claim))]
    with ResponsesServer(script) as server:
        result = await run_delegate(harness, server)
        pipeline = harness.pipeline(server)
        with pytest.raises(UsageError, match="blocked"):
            await pipeline.apply(result.run_id)

    assert result.verdict == "blocked", result.to_dict()
    assert len(result.attempts) == 1
    (finding,) = result.attempts[0].findings
    assert (finding.rule, finding.path) == ("secret", "src/health.py")
    assert token not in json.dumps(result.to_dict())
    assert "[REDACTED by baton: github token]" in result.attempts[0].worker_message
    ledger = harness.ledgers[0]
    for name in ledger.artifact_names(result.run_id):
        assert token not in ledger.get_artifact(result.run_id, name)
    assert not (harness.repo / "src" / "health.py").exists()


async def test_g_a_hanging_worker_fails_cleanly(harness: Harness) -> None:
    with ResponsesServer([HANG]) as server:
        result = await run_delegate(harness, server, timeout_sec=8.0)

    assert result.verdict == "failed"
    assert "no result after 8s" in (result.error or "")
    assert all(not path.exists() for path in harness.workspaces())
    record = harness.ledgers[0].get_run(result.run_id)
    assert record.verdict == "failed" and record.finished_at is not None
    assert [a.verdict for a in record.attempt_records] == ["failed"]


async def test_g_a_crashing_worker_fails_cleanly(harness: Harness) -> None:
    with ResponsesServer([]) as server:  # every model request gets HTTP 400: Codex gives up
        result = await run_delegate(harness, server)

    assert result.verdict == "failed"
    assert result.error
    assert all(not path.exists() for path in harness.workspaces())
    record = harness.ledgers[0].get_run(result.run_id)
    assert record.verdict == "failed" and record.attempt_records[0].verdict == "failed"


async def test_h_reply_continues_the_thread_after_baton_restarts(harness: Harness) -> None:
    script = [
        turn(apply_patch_call(add_file("src/health.py", HEALTH))),
        turn(message("Added health().")),
        turn(apply_patch_call(VERSION_PATCH)),
        turn(message("Added the version too.")),
    ]
    task_scope_note = "a VERSION constant"
    with ResponsesServer(script) as server:
        first = await run_delegate(harness, server)
        restarted = harness.pipeline(server)  # a new Baton: new ledger connection, new worker
        with anyio.fail_after(SCENARIO_LIMIT_SEC):
            second = await restarted.reply(
                first.run_id[:14],
                f"Also add {task_scope_note}.",
                on_progress=harness.record,
            )
        reply_request = server.model_requests[2]

    users = "\n".join(reply_request.input_texts("user"))
    assert f"Also add {task_scope_note}." in users
    if harness.adapter == "codex-exec":  # Codex keeps threads in its home: resumed as they were
        assert second.thread_id == first.thread_id
        assert "Added health()." in reply_request.input_texts("assistant")
    else:  # the MCP server's threads died with it: a new thread told what happened before
        assert second.thread_id != first.thread_id
        assert "Earlier work" in users and first.run_id in users
    # The first run was never applied: the reply's workspace starts from its diff.
    assert second.verdict == "passed", second.to_dict()
    assert second.decision["reply_to"] == first.run_id
    await restarted.apply(second.run_id)
    assert (harness.repo / "src" / "health.py").read_text() == HEALTH + 'VERSION = "1.0"\n'


async def test_apply_refuses_when_the_lead_changed_a_touched_file(harness: Harness) -> None:
    script = [turn(apply_patch_call(add_file("src/health.py", HEALTH))), turn(message("Done."))]
    with ResponsesServer(script) as server:
        result = await run_delegate(harness, server)
        (harness.repo / "src" / "health.py").write_text("# the lead wrote this meanwhile\n")
        with pytest.raises(ApplyRefused, match=r"src/health\.py"):
            await harness.pipeline(server).apply(result.run_id)

    assert (harness.repo / "src" / "health.py").read_text() == "# the lead wrote this meanwhile\n"
    assert harness.ledgers[0].get_run(result.run_id).applied_at is None


async def test_auto_apply_puts_a_passed_diff_in_the_tree_at_once(harness: Harness) -> None:
    script = [turn(apply_patch_call(add_file("src/health.py", HEALTH))), turn(message("Done."))]
    with ResponsesServer(script) as server:
        result = await run_delegate(harness, server, auto_apply=True)

    assert result.verdict == "passed" and result.applied == ("src/health.py",)
    assert (harness.repo / "src" / "health.py").read_text() == HEALTH
    assert "applied" in result.next_step()
    assert harness.ledgers[0].get_run(result.run_id).applied_at is not None


async def test_h_a_thread_the_worker_lost_is_restarted_with_a_summary(harness: Harness) -> None:
    script = [
        turn(apply_patch_call(add_file("src/health.py", HEALTH))),
        turn(message("Added health().")),
        turn(apply_patch_call(VERSION_PATCH)),
        turn(message("Added the version too.")),
    ]
    with ResponsesServer(script) as server:
        first = await run_delegate(harness, server)
        shutil.rmtree(harness.home / "sessions")  # Codex's record of its threads is gone
        with anyio.fail_after(SCENARIO_LIMIT_SEC):
            second = await harness.pipeline(server).reply(
                first.run_id, "Also add a VERSION constant.", on_progress=harness.record
            )
        users = "\n".join(server.model_requests[2].input_texts("user"))

    assert second.thread_id and second.thread_id != first.thread_id
    assert "Earlier work" in users and first.run_id in users
    assert "Also add a VERSION constant." in users
    assert any("lost the thread" in m for m in harness.progress)
    assert second.verdict == "passed", second.to_dict()
