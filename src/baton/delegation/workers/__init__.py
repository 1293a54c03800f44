"""Worker adapters: one module per adapter, registered in `WORKER_ADAPTERS`, the default list.

An adapter is a class built from its `[workers.NAME]` entry that implements `Worker.run`:
`codex-exec` (current Codex, `codex exec --json`) and `codex-mcp` (Codex up to 0.153,
`codex mcp-server`). Adding one is adding a module and a line in `_registry.py`.
"""

from __future__ import annotations

from baton.delegation.workers._base import (
    EventSink,
    Sandbox,
    Worker,
    WorkerCall,
    WorkerEvent,
    WorkerEventKind,
    WorkerResult,
)
from baton.delegation.workers._held import HeldConnectionWorker
from baton.delegation.workers._registry import WORKER_ADAPTERS, WorkerFactory, make_worker
from baton.delegation.workers.codex_exec import CodexExecWorker
from baton.delegation.workers.codex_mcp import CodexMcpWorker

__all__ = [
    "WORKER_ADAPTERS",
    "CodexExecWorker",
    "CodexMcpWorker",
    "EventSink",
    "HeldConnectionWorker",
    "Sandbox",
    "Worker",
    "WorkerCall",
    "WorkerEvent",
    "WorkerEventKind",
    "WorkerFactory",
    "WorkerResult",
    "make_worker",
]
