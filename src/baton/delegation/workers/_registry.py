"""The default list of worker adapters, and building the worker a `[workers.NAME]` entry names."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from baton.config.schema import WorkerConfig
from baton.delegation.workers._base import Worker
from baton.delegation.workers.codex_exec import CodexExecWorker
from baton.delegation.workers.codex_mcp import CodexMcpWorker
from baton.errors import ConfigError

__all__ = ["WORKER_ADAPTERS", "WorkerFactory", "make_worker"]

WorkerFactory = Callable[[str, WorkerConfig, Mapping[str, str] | None], Worker]

WORKER_ADAPTERS: dict[str, WorkerFactory] = {
    "codex-exec": CodexExecWorker,
    "codex-mcp": CodexMcpWorker,
}


def make_worker(name: str, config: WorkerConfig, env: Mapping[str, str] | None = None) -> Worker:
    """The worker `[workers.NAME]` describes, built by its adapter."""
    factory = WORKER_ADAPTERS.get(config.adapter)
    if factory is None and config.adapter == "mcp-tool":
        raise ConfigError(
            "adapter 'mcp-tool' needs the gateway's upstream connections",
            key=f"workers.{name}.adapter",
            hint="baton.upstream.tool_worker supplies it: "
            "Pipeline(..., adapters=mcp_tool_adapters(config.servers))",
        )
    if factory is None:
        raise ConfigError(
            f"adapter '{config.adapter}' is not available yet",
            key=f"workers.{name}.adapter",
            hint=f"use one of: {', '.join(sorted(WORKER_ADAPTERS))}",
        )
    return factory(name, config, env)
