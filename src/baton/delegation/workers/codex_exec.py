"""The `codex-exec` worker: current Codex driven by `codex exec --json`, resumed by `exec resume`.

Every call runs non-interactively in the workspace Baton chose (`cwd` and `--cd`), with an
explicit sandbox whose only writable root is that workspace, `approval_policy = "never"` (an
unanswered approval would hang the run), and the policy's rules as `developer_instructions`.
The prompt goes in on stdin, so no task text is ever read as a command-line option.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Self

import anyio
from anyio.abc import ByteReceiveStream, Process
from anyio.streams.text import TextReceiveStream

from baton.config.schema import WorkerConfig
from baton.delegation._process_group import stop_group
from baton.delegation.workers._base import EventSink, Launcher, WorkerCall, WorkerResult
from baton.delegation.workers._exec_events import ExecTranscript
from baton.errors import ThreadLost, WorkerError

__all__ = ["CodexExecWorker", "exec_arguments", "toml_string"]

# Enough of stderr to explain a failure without flooding an error message.
STDERR_TAIL_LINES = 20
_BACKTRACE = re.compile(r"\s*(?:Stack backtrace:|\d+: |at \S+:\d+)")


def toml_string(text: str) -> str:
    """`text` as a TOML basic string, for a `-c key=value` override."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def exec_arguments(call: WorkerCall, model: str | None = None) -> list[str]:
    """The arguments after `codex` for one call: a new thread, or `exec resume` of `thread_id`."""
    overrides = [
        *("-c", 'approval_policy="never"'),
        *("-c", f"developer_instructions={toml_string(call.instructions)}"),
        # workspace-write would also open /tmp and $TMPDIR, where other workspaces live.
        *("-c", "sandbox_workspace_write.exclude_slash_tmp=true"),
        *("-c", "sandbox_workspace_write.exclude_tmpdir_env_var=true"),
    ]
    overrides += ["--model", model] if model else []
    common = ["--json", "--skip-git-repo-check", *overrides]
    if call.thread_id is None:
        workspace = str(call.workspace)
        return ["exec", *common, "--sandbox", call.sandbox, "--cd", workspace, "-"]
    # `exec resume` takes no --sandbox/--cd: the sandbox is a config override, cwd the process's.
    sandbox = ["-c", f"sandbox_mode={toml_string(call.sandbox)}"]
    return ["exec", "resume", *common, *sandbox, call.thread_id, "-"]


class CodexExecWorker:
    """Runs `codex exec --json` as a subprocess per call, optionally through a launcher."""

    def __init__(
        self,
        name: str,
        config: WorkerConfig,
        env: Mapping[str, str] | None = None,
        *,
        launcher: Launcher | None = None,
    ) -> None:
        self.name = name
        self._config = config
        self._env = dict(os.environ if env is None else env)
        self._launcher = launcher

    async def __aenter__(self) -> Self:
        return self  # each call is its own process; nothing is held across a run

    async def __aexit__(self, *exc_info: object) -> None:
        return None

    @property
    def command(self) -> Sequence[str]:
        """The Codex executable (and any leading arguments) from `[workers.NAME].command`."""
        return self._config.command or ["codex"]

    async def run(self, call: WorkerCall, on_event: EventSink | None = None) -> WorkerResult:
        """Run one call to completion; `WorkerError` if Codex cannot start, fails or times out."""
        workspace = call.workspace.resolve()
        if not workspace.is_dir():
            raise WorkerError(self.name, f"workspace {workspace} is not a directory")
        argv = [*self.command, *exec_arguments(call, self._config.model)]
        argv = self._launcher(argv) if self._launcher else argv
        transcript = ExecTranscript(workspace)
        stderr: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
        try:
            # Shielded: a cancellation after the fork but before this returns would leak Codex.
            with anyio.CancelScope(shield=True):
                process = await anyio.open_process(
                    argv, cwd=workspace, env=self._env, stdin=subprocess.PIPE,
                    start_new_session=True,
                )  # fmt: skip
        except OSError as exc:
            raise WorkerError(
                self.name,
                f"cannot start {argv[0]}: {exc.strerror or exc}",
                hint="install Codex (`npm i -g @openai/codex`) or set [workers.NAME].command",
            ) from exc
        async with process:
            try:
                with anyio.fail_after(self._config.timeout_sec):
                    await self._converse(process, call.prompt, transcript, stderr, on_event)
            except TimeoutError as exc:
                await stop_group(process)
                raise WorkerError(
                    self.name,
                    f"no result after {self._config.timeout_sec:g}s; the run was stopped",
                    hint="raise [workers.NAME].timeout_sec, or make the task smaller",
                ) from exc
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await stop_group(process)
                raise
        return self._result(process.returncode, transcript, stderr, call.thread_id)

    async def _converse(
        self,
        process: Process,
        prompt: str,
        transcript: ExecTranscript,
        stderr: deque[str],
        on_event: EventSink | None,
    ) -> None:
        assert process.stdin and process.stdout and process.stderr  # opened with pipes
        await process.stdin.send(prompt.encode())
        await process.stdin.aclose()
        async with anyio.create_task_group() as group:
            group.start_soon(_collect, process.stderr, stderr)
            async for line in _lines(process.stdout):
                event = transcript.feed(line)
                if event is not None and on_event is not None:
                    await on_event(event)
        await process.wait()

    def _result(
        self,
        returncode: int | None,
        transcript: ExecTranscript,
        stderr: deque[str],
        resumed: str | None,
    ) -> WorkerResult:
        if returncode != 0 or transcript.failure:
            why = transcript.failure or f"codex exited with code {returncode}"
            tail = " | ".join(line for line in stderr if line.strip())
            if resumed and "no rollout found" in tail:  # its CODEX_HOME lost the thread
                hint = "start a new thread with a summary of the earlier one"
                raise ThreadLost(self.name, f"thread {resumed} is unknown to Codex", hint=hint)
            raise WorkerError(self.name, why + (f" (stderr: {tail})" if tail else ""))
        return WorkerResult(
            worker=self.name,
            thread_id=transcript.thread_id,
            final_message=transcript.final_message,
            files_changed=tuple(transcript.files_changed),
            usage=transcript.usage,
        )


async def _lines(stream: ByteReceiveStream) -> AsyncIterator[str]:
    """Complete lines from a byte stream, however the bytes arrive."""
    buffer = ""
    async for chunk in TextReceiveStream(stream):
        buffer += chunk
        *lines, buffer = buffer.split("\n")
        for line in lines:
            yield line
    if buffer:
        yield buffer


async def _collect(stream: ByteReceiveStream, tail: deque[str]) -> None:
    async for line in _lines(stream):
        if not _BACKTRACE.match(line):  # Rust backtrace frames would push the error out
            tail.append(line)
