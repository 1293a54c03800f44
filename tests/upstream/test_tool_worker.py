"""The `mcp-tool` worker against a real MCP server (prompt_worker.py), alone and in the pipeline."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import types

from baton.config.schema import BatonConfig, GateConfig, ServerConfig, WorkerConfig
from baton.delegation.pipeline import Pipeline
from baton.delegation.workers import Worker, WorkerCall, WorkerEvent, make_worker
from baton.errors import ConfigError, ThreadLost, WorkerError
from baton.ledger import SqliteLedger
from baton.task import Criterion, Task
from baton.upstream.tool_worker import mcp_tool_adapters, tool_arguments
from tests.conftest import FIXTURE_SERVERS
from tests.delegation.pipeline.conftest import make_lead_repo
from tests.upstream._support import descendants

pytestmark = pytest.mark.anyio

PROMPT_WORKER = FIXTURE_SERVERS / "prompt_worker.py"
SERVERS = {"pw": ServerConfig(command=sys.executable, args=[str(PROMPT_WORKER)])}
# A worker call here starts a Python server and does little; a pipeline run adds git and pytest.
CALL_LIMIT_SEC = 30
RUN_LIMIT_SEC = 120
CHECK = "python -c \"from src.health import health; assert health() == {'status': 'ok'}\""
HEALTH = 'def health() -> dict[str, str]:\\n    return {"status": "ok"}'


def worker(tool: str = "work", **config: Any) -> Worker:
    """The `mcp-tool` worker 'pw' on the fixture server's `tool`."""
    factory = mcp_tool_adapters(SERVERS)["mcp-tool"]
    return factory("pw", WorkerConfig(adapter="mcp-tool", server="pw", tool=tool, **config), None)


class Events:
    """The event sink: every event the worker reported."""

    def __init__(self) -> None:
        self.seen: list[WorkerEvent] = []

    async def __call__(self, event: WorkerEvent) -> None:
        self.seen.append(event)


async def run(worker: Worker, call: WorkerCall, events: Events | None = None) -> Any:
    with anyio.fail_after(CALL_LIMIT_SEC):
        return await worker.run(call, events)


def lingering() -> list[str]:
    """Command lines of prompt_worker.py processes still alive below this one."""
    return [" ".join(p.cmdline()) for p in descendants() if str(PROMPT_WORKER) in p.cmdline()]


async def test_a_call_writes_in_the_workspace_reports_progress_and_returns_the_thread(
    tmp_path: Path,
) -> None:
    events = Events()
    call = WorkerCall(
        "WRITE notes/a.txt: hello\nECHO_INSTRUCTIONS", "NEVER touch .env", tmp_path, "read-only"
    )
    result = await run(worker(), call, events)
    assert (tmp_path / "notes" / "a.txt").read_text() == "hello\n"
    assert [(e.kind, e.text) for e in events.seen] == [
        ("message", "reading the task"),
        ("message", "working"),
    ]
    assert result.thread_id == "thread-1"
    assert result.final_message == "wrote notes/a.txt\ninstructions: NEVER touch .env"
    assert (result.worker, result.files_changed) == ("pw", ())
    assert lingering() == []


async def test_a_held_worker_continues_its_thread_on_one_server(tmp_path: Path) -> None:
    held = worker()
    async with held:  # type: ignore[attr-defined]
        first = await run(held, WorkerCall("WRITE a.txt: 1", "", tmp_path, "workspace-write"))
        assert len(lingering()) == 1  # the server stays up between calls
        again = WorkerCall("WRITE b.txt: 2", "", tmp_path, "workspace-write", first.thread_id)
        second = await run(held, again)
        fresh = await run(held, WorkerCall("", "", tmp_path, "workspace-write"))
    assert (first.thread_id, second.thread_id, fresh.thread_id) == (
        "thread-1",
        "thread-1",
        "thread-2",
    )
    assert lingering() == []


async def test_a_tool_error_is_a_worker_error_with_its_text(tmp_path: Path) -> None:
    with pytest.raises(WorkerError, match="tool 'work' failed: the task failed on purpose"):
        await run(worker(), WorkerCall("FAIL", "", tmp_path, "workspace-write"))


async def test_a_timeout_is_a_worker_error_soon_and_leaves_no_server(tmp_path: Path) -> None:
    began = anyio.current_time()
    with pytest.raises(WorkerError, match="no result after 1s") as caught:
        await run(worker(timeout_sec=1), WorkerCall("SLEEP 30", "", tmp_path, "workspace-write"))
    assert anyio.current_time() - began < 15
    assert caught.value.hint is not None and "timeout_sec" in caught.value.hint
    assert lingering() == []


async def test_an_unknown_tool_is_named_with_the_tools_there_are(tmp_path: Path) -> None:
    with pytest.raises(
        WorkerError, match="server 'pw' has no tool 'nope'; tools: work, ask, count"
    ):
        await run(worker("nope"), WorkerCall("hi", "", tmp_path, "workspace-write"))


@pytest.mark.parametrize(
    ("config", "key", "says"),
    [
        (
            {"server": "elsewhere", "tool": "work"},
            "workers.pw.server",
            "no server 'elsewhere'; servers: pw",
        ),
        ({"tool": "work"}, "workers.pw.server", "is not set; servers: pw"),
        ({"server": "pw"}, "workers.pw.tool", "is not set"),
    ],
)
def test_a_missing_or_unknown_server_or_tool_is_a_config_error(
    config: dict[str, str], key: str, says: str
) -> None:
    factory = mcp_tool_adapters(SERVERS)["mcp-tool"]
    with pytest.raises(ConfigError, match=f"\\[{key}\\]: {says}"):
        factory("pw", WorkerConfig(adapter="mcp-tool", **config), None)  # type: ignore[arg-type]


def test_without_the_injected_adapter_the_error_says_where_it_comes_from() -> None:
    config = WorkerConfig(adapter="mcp-tool", server="pw", tool="work")
    with pytest.raises(ConfigError, match="needs the gateway's upstream connections") as caught:
        make_worker("pw", config)
    assert caught.value.hint is not None and "mcp_tool_adapters" in caught.value.hint


async def test_a_tool_without_instructions_gets_them_before_the_prompt(tmp_path: Path) -> None:
    result = await run(worker("ask"), WorkerCall("the task", "RULES", tmp_path, "read-only"))
    assert result.final_message == "asked: RULES\n\nthe task"
    assert result.thread_id is None


async def test_a_tool_without_a_thread_argument_loses_the_thread(tmp_path: Path) -> None:
    with pytest.raises(ThreadLost, match="tool 'ask' cannot continue a thread"):
        await run(worker("ask"), WorkerCall("more", "", tmp_path, "read-only", "thread-9"))


async def test_a_tool_without_a_prompt_argument_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkerError, match="tool 'count' takes no prompt argument"):
        await run(worker("count"), WorkerCall("count", "", tmp_path, "read-only"))


def test_codex_style_arguments_are_filled_by_the_names_the_schema_has(tmp_path: Path) -> None:
    names = ["prompt", "cwd", "sandbox", "approval-policy", "developer-instructions", "threadId"]
    schema = {"type": "object", "properties": {name: {"type": "string"} for name in names}}
    tool = types.Tool(name="codex", inputSchema=schema | {"required": ["prompt"]})
    call = WorkerCall("do it", "RULES", tmp_path, "workspace-write", "t-1")
    assert tool_arguments("w", tool, call) == {
        "prompt": "do it",
        "developer-instructions": "RULES",
        "cwd": str(tmp_path.resolve()),
        "sandbox": "workspace-write",
        "approval-policy": "never",
        "threadId": "t-1",
    }


def test_a_required_argument_baton_cannot_fill_is_named(tmp_path: Path) -> None:
    properties = {"task": {"type": "string"}, "repo": {"type": "string"}}
    schema = {"type": "object", "properties": properties, "required": ["task", "repo"]}
    tool = types.Tool(name="agent", inputSchema=schema)
    with pytest.raises(WorkerError, match="requires arguments Baton cannot fill: repo"):
        tool_arguments("w", tool, WorkerCall("x", "", tmp_path, "read-only"))


def pipeline_for(tmp_path: Path) -> tuple[Pipeline, SqliteLedger]:
    """A pipeline whose one worker is the fixture server's `work` tool, gated by the repo's test."""
    config = BatonConfig(
        servers=SERVERS,
        workers={"pw": WorkerConfig(adapter="mcp-tool", server="pw", tool="work")},
        gates=[GateConfig(name="test", command="python -m pytest -q -p no:cacheprovider")],
    )
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    ledger = SqliteLedger(tmp_path / "ledger.db")
    repo = make_lead_repo(tmp_path / "lead")
    return Pipeline(
        config, repo, ledger, adapters=mcp_tool_adapters(config.servers), env=env
    ), ledger


def health_task(goal: str) -> Task:
    """The seed's health() task with `goal` (the worker's commands) as its goal."""
    criterion = Criterion(text='health() returns {"status": "ok"}', check=CHECK)
    return Task(goal=goal, scope=("src/health.py",), acceptance=(criterion,))


async def test_the_pipeline_passes_a_task_the_tool_does_right(tmp_path: Path) -> None:
    pipeline, ledger = pipeline_for(tmp_path)
    progress: list[str] = []

    async def record(message: str) -> None:
        progress.append(message)

    try:
        with anyio.fail_after(RUN_LIMIT_SEC):
            result = await pipeline.delegate(
                health_task(f"Add health()\nWRITE src/health.py: {HEALTH}"), on_progress=record
            )
    finally:
        ledger.close()
    assert result.verdict == "passed", result.to_dict()
    assert (result.worker, result.thread_id) == ("pw", "thread-1")
    assert "warning: the worker runs unjailed (no bubblewrap)" in progress
    assert "worker: message: working" in progress
    assert lingering() == []


async def test_the_pipeline_falls_back_when_the_tool_twice_writes_out_of_scope(
    tmp_path: Path,
) -> None:
    pipeline, ledger = pipeline_for(tmp_path)
    try:
        with anyio.fail_after(RUN_LIMIT_SEC):
            result = await pipeline.delegate(health_task("Add health()\nWRITE src/other.py: x = 1"))
    finally:
        ledger.close()
    assert result.verdict == "fallback", result.to_dict()
    assert len(result.attempts) == 2
    rules = {finding.rule for attempt in result.attempts for finding in attempt.findings}
    assert "out-of-scope" in rules
    assert lingering() == []
