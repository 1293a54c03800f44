"""Worker adapters come from one default list; `[workers.NAME].adapter` picks one."""

from __future__ import annotations

import pytest

from baton.config.schema import WorkerConfig
from baton.delegation.workers import WORKER_ADAPTERS, CodexExecWorker, CodexMcpWorker, make_worker
from baton.errors import ConfigError


def test_codex_exec_is_the_default_adapter() -> None:
    worker = make_worker("codex", WorkerConfig())
    assert isinstance(worker, CodexExecWorker)
    assert worker.name == "codex"
    assert list(worker.command) == ["codex"]


def test_the_configured_command_is_used() -> None:
    worker = make_worker("codex", WorkerConfig(command=["npx", "@openai/codex"]))
    assert isinstance(worker, CodexExecWorker) and list(worker.command) == ["npx", "@openai/codex"]


def test_an_adapter_not_in_the_list_names_the_key_and_the_choices() -> None:
    with pytest.raises(ConfigError) as raised:
        make_worker("reviewer", WorkerConfig(adapter="cli"))
    assert "[workers.reviewer.adapter]" in str(raised.value)
    assert raised.value.hint == f"use one of: {', '.join(sorted(WORKER_ADAPTERS))}"


def test_codex_mcp_is_in_the_list() -> None:
    worker = make_worker("old-codex", WorkerConfig(adapter="codex-mcp", command=["codex"]))
    assert isinstance(worker, CodexMcpWorker) and worker.name == "old-codex"
