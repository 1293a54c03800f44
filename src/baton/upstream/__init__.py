"""Connections to upstream MCP servers: transports, transport detection, the pool, diagnosis.

    UpstreamPool        every enabled server of a config; owns the task group connections run in
    └── Upstream        one server: lazy start, per-call timeout, cancellation, restart after crash
        └── Connection  one connection, in one task: transport + `UpstreamSession` (SDK client)

Transports: `stdio`, `streamable_http`, `sse`; `detect` picks between the HTTP two for
`transport = "auto"`. `doctor.diagnose` checks one server end to end for `baton servers doctor`.
"""

from __future__ import annotations

from mcp.shared.session import ProgressFnT

from baton.upstream.hooks import UpstreamHooks
from baton.upstream.pool import UpstreamPool
from baton.upstream.upstream import Upstream, UpstreamState

__all__ = ["ProgressFnT", "Upstream", "UpstreamHooks", "UpstreamPool", "UpstreamState"]
