"""The gateway's own tools — delegate, delegate_reply, route, apply, runs — and run resources.

They sit beside the proxied `<server>__<tool>` names (which always hold `__`, so the two never
collide). Each answers with compact JSON (also as `structuredContent`); a run's full diff and
logs are resources at `baton://runs/<id>/<name>`, read from the ledger. The ledger is opened on
first use, so serving a lead that never delegates creates no file.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
from mcp import types
from pydantic import ValidationError

from baton.config.kinds import KINDS
from baton.config.schema import BatonConfig
from baton.delegation.result import ARTIFACTS, RUN_URI_PREFIX, resource_uri
from baton.errors import BatonError
from baton.ledger import Ledger, LedgerError, ledger_path, open_ledger
from baton.task import Task, parse_task, task_from_json

if TYPE_CHECKING:
    from baton.delegation.pipeline import Pipeline

__all__ = ["DELEGATION_TOOLS", "DelegationTools"]

ProgressFn = Callable[[float, float | None, str | None], Awaitable[None]]

# Longest a delegation's progress stays silent: well under a lead's idle timeout for a call.
KEEP_ALIVE_SEC = 60.0
# Runs whose artifacts `resources/list` shows; older ones are read by URI or through `runs`.
LISTED_RUNS = 10

_TASK_PROPERTIES: dict[str, Any] = {
    "goal": {"type": "string", "description": "What the worker should achieve."},
    "scope": {
        "type": "array",
        "items": {"type": "string"},
        "description": "Globs, relative to the repository root, the worker may change.",
    },
    "acceptance": {
        "type": "array",
        "description": "Acceptance criteria: text, and optionally a shell command that checks it.",
        "items": {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "properties": {"text": {"type": "string"}, "check": {"type": "string"}},
                    "required": ["text"],
                },
            ]
        },
    },
    "constraints": {"type": "array", "items": {"type": "string"}},
    "kind": {"type": "string", "enum": list(KINDS)},
    "worker": {"type": "string", "description": "A [workers.NAME] of baton.toml."},
    "task": {
        "type": "string",
        "description": "Instead of the fields: the task in the [Task] Markdown template.",
    },
}
_RUN_ID = {"type": "string", "description": "A run id (or a unique prefix of one)."}


def _tool(name: str, description: str, properties: dict[str, Any], required: list[str]) -> Any:
    schema = {"type": "object", "properties": properties, "required": required}
    return types.Tool(name=name, description=description, inputSchema=schema)


DELEGATION_TOOLS = (
    _tool(
        "delegate",
        "Delegate a well-specified task (scope + acceptance criteria) to the worker agent. "
        "Baton routes it, runs the worker in an isolated workspace, audits the diff, runs the "
        "quality gates and returns a verdict. Nothing is applied until you call `apply`.",
        _TASK_PROPERTIES,
        [],
    ),
    _tool(
        "delegate_reply",
        "Continue the worker thread of an earlier run with a message; reviewed like a new run.",
        {"run_id": _RUN_ID, "message": {"type": "string"}},
        ["run_id", "message"],
    ),
    _tool(
        "route",
        "Say who should do a task (lead, worker, or split it first) and why; runs nothing.",
        _TASK_PROPERTIES,
        [],
    ),
    _tool(
        "apply",
        "Apply a passed run's diff to the repository, atomically; refused if its files changed.",
        {"run_id": _RUN_ID, "force": {"type": "boolean", "description": "Also a needs_fix run."}},
        ["run_id"],
    ),
    _tool(
        "runs",
        "The delegation history: the latest runs, or one run in full.",
        {"run_id": _RUN_ID, "limit": {"type": "integer", "minimum": 1, "maximum": 200}},
        [],
    ),
)
_NAMES = {tool.name for tool in DELEGATION_TOOLS}


def _answer(data: Any, *, error: bool = False) -> types.CallToolResult:
    text = json.dumps(data, indent=2, default=str)
    structured = data if isinstance(data, dict) else {"result": data}
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)],
        structuredContent=structured,
        isError=error,
    )


def _refusal(error: BatonError) -> types.CallToolResult:
    data = {"error": error.message} | ({"hint": error.hint} if error.hint else {})
    return _answer(data, error=True)


def _task(arguments: dict[str, Any]) -> Task:
    if isinstance(arguments.get("task"), str):
        return parse_task(arguments["task"], source="the task argument", format="markdown")
    fields = {k: v for k, v in arguments.items() if k in _TASK_PROPERTIES and k != "task"}
    return task_from_json(fields, source="arguments")


class DelegationTools:
    """The lead's own tools over one pipeline (built, with its ledger, on first use)."""

    def __init__(self, config: BatonConfig, repo: Path) -> None:
        self._config, self._repo = config, repo
        self._pipeline: Pipeline | None = None
        self._lock = threading.Lock()

    def owns_tool(self, name: str) -> bool:
        """Whether `name` is one of these tools."""
        return name in _NAMES

    def pipeline(self) -> Pipeline:
        """The pipeline, opening the project's ledger the first time."""
        from baton.delegation.pipeline import Pipeline  # the pipeline's imports wait for a use
        from baton.upstream.tool_worker import mcp_tool_adapters

        with self._lock:
            if self._pipeline is None:
                ledger: Ledger = open_ledger(self._config)
                adapters = mcp_tool_adapters(self._config.servers)
                self._pipeline = Pipeline(self._config, self._repo, ledger, adapters=adapters)
            return self._pipeline

    def close(self) -> None:
        """Close the ledger if it was opened."""
        if self._pipeline is not None:
            self._pipeline.ledger.close()

    async def call(
        self, name: str, arguments: dict[str, Any] | None, progress: ProgressFn | None
    ) -> types.CallToolResult:
        """Run one of the tools; bad input and refusals are tool errors the model can read."""
        arguments = arguments or {}
        try:
            return await self._call(name, arguments, progress)
        except BatonError as error:
            return _refusal(error)
        except ValidationError as error:
            return _answer({"error": str(error)}, error=True)

    async def _call(
        self, name: str, arguments: dict[str, Any], progress: ProgressFn | None
    ) -> types.CallToolResult:
        pipeline = self.pipeline()
        if name == "route":
            return _answer(pipeline.route(_task(arguments)).to_dict())
        if name in ("delegate", "delegate_reply"):
            async with keep_alive(_progress_messages(progress)) as on_progress:
                return _answer(await self._delegation(name, arguments, pipeline, on_progress))
        if name == "apply":
            applied = await pipeline.apply(
                str(arguments.get("run_id", "")), force=bool(arguments.get("force"))
            )
            files = list(applied.files)
            return _answer({"applied": files, "added": applied.added, "removed": applied.removed})
        return _answer(await self._runs(pipeline, arguments))

    async def _delegation(
        self,
        name: str,
        arguments: dict[str, Any],
        pipeline: Pipeline,
        on_progress: Callable[[str], Awaitable[None]] | None,
    ) -> dict[str, Any]:
        """`delegate` or `delegate_reply`, here or in a process of its own (see `_detached`)."""
        if name == "delegate":
            task = _task(arguments)
            if self._detached:
                detached = ["delegate", "-"], task.model_dump_json(exclude_none=True)
                return await self._run_detached(*detached, on_progress=on_progress)
            return (await pipeline.delegate(task, on_progress=on_progress)).to_dict()
        run_id, message = str(arguments.get("run_id", "")), str(arguments.get("message", ""))
        if self._detached:
            run_id = await pipeline.ledger_call(pipeline.ledger.find_run, run_id)
            return await self._run_detached(["reply", run_id, message], on_progress=on_progress)
        return (await pipeline.reply(run_id, message, on_progress=on_progress)).to_dict()

    @property
    def _detached(self) -> bool:
        return self._config.review.on_lead_disconnect == "continue"

    async def _run_detached(
        self,
        arguments: list[str],
        stdin_text: str | None = None,
        *,
        on_progress: Callable[[str], Awaitable[None]] | None,
    ) -> dict[str, Any]:
        """A run in a process of its own, which outlives the lead (and this gateway)."""
        from baton.gateway.detached import DETACHED_NOTICE, run_detached

        if on_progress is not None:
            await on_progress(DETACHED_NOTICE)
        return await run_detached(
            arguments,
            repo=self._repo,
            config_file=self._config.project_file,
            stdin_text=stdin_text,
            on_progress=on_progress,
        )

    async def _runs(self, pipeline: Pipeline, arguments: dict[str, Any]) -> dict[str, Any]:
        ledger = pipeline.ledger
        if run_id := arguments.get("run_id"):
            record = await pipeline.ledger_call(
                ledger.get_run, await pipeline.ledger_call(ledger.find_run, run_id)
            )
            data = record.to_dict()
            names = await pipeline.ledger_call(ledger.artifact_names, record.id)
            data["resources"] = [resource_uri(record.id, n) for n in ARTIFACTS if n in names]
            return data
        limit = int(arguments.get("limit") or 20)
        runs = await pipeline.ledger_call(ledger.list_runs, limit)
        return {"runs": [run.to_dict() for run in runs]}

    async def resources(self) -> list[types.Resource]:
        """The artifacts of the latest runs (none before the ledger exists)."""
        if self._pipeline is None and not ledger_path(self._config).is_file():
            return []  # listing must not create the ledger: no delegation, no file
        try:
            pipeline = self.pipeline()
            runs = await pipeline.ledger_call(pipeline.ledger.list_runs, LISTED_RUNS)
        except LedgerError:
            return []
        listed: list[types.Resource] = []
        for run in runs:
            names = await pipeline.ledger_call(pipeline.ledger.artifact_names, run.id)
            for name in (n for n in ARTIFACTS if n in names):
                listed.append(
                    types.Resource(
                        uri=resource_uri(run.id, name),  # type: ignore[arg-type]
                        name=f"run {run.id} {name}",
                        mimeType="application/json" if name.endswith(".json") else "text/plain",
                    )
                )
        return listed

    def templates(self) -> list[types.ResourceTemplate]:
        """The URI template every run artifact follows."""
        return [
            types.ResourceTemplate(
                uriTemplate=RUN_URI_PREFIX + "{run_id}/{name}",
                name="Baton run artifact",
                description=f"name is one of: {', '.join(ARTIFACTS)}",
            )
        ]

    async def read(self, uri: str) -> types.ReadResourceResult:
        """One artifact, by its `baton://runs/<id>/<name>` URI."""
        run_id, _, name = uri[len(RUN_URI_PREFIX) :].partition("/")
        pipeline = self.pipeline()
        run_id = await pipeline.ledger_call(pipeline.ledger.find_run, run_id)
        text = await pipeline.ledger_call(pipeline.ledger.get_artifact, run_id, name)
        mime = "application/json" if name.endswith(".json") else "text/plain"
        contents = types.TextResourceContents(uri=uri, mimeType=mime, text=text)  # type: ignore[arg-type]
        return types.ReadResourceResult(contents=[contents])


@asynccontextmanager
async def keep_alive(
    on_progress: Callable[[str], Awaitable[None]] | None, *, every: float = KEEP_ALIVE_SEC
) -> AsyncIterator[Callable[[str], Awaitable[None]] | None]:
    """Progress that is never silent for `every` seconds while the block runs.

    A lead drops a call whose progress stalls (Claude Code: after 5 minutes over HTTP); a worker
    thinking or a long test gate can be quiet longer than that. So while nothing else is said,
    this repeats the last stage with how long it has lasted.
    """
    if on_progress is None:
        yield None
        return
    said, said_at = "started", anyio.current_time()

    async def relay(message: str) -> None:
        nonlocal said, said_at
        said, said_at = message, anyio.current_time()
        await on_progress(message)

    async def beat() -> None:
        beaten_at = said_at
        while True:
            due = max(said_at, beaten_at) + every
            await anyio.sleep(max(0.0, due - anyio.current_time()))
            now = anyio.current_time()
            if now >= max(said_at, beaten_at) + every:  # nothing said meanwhile
                await on_progress(f"still working, {now - said_at:.0f} s since: {said}")
                beaten_at = now

    error: Exception | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(beat)
        try:
            yield relay
        except Exception as exc:  # out as itself, not inside the task group's ExceptionGroup
            error = exc
        finally:
            group.cancel_scope.cancel()
    if error is not None:
        raise error


def _progress_messages(progress: ProgressFn | None) -> Callable[[str], Awaitable[None]] | None:
    """Pipeline messages as MCP progress notifications, counting up."""
    if progress is None:
        return None
    count = 0

    async def send(message: str) -> None:
        nonlocal count
        count += 1
        await progress(float(count), None, message)

    return send
