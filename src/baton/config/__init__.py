"""Configuration: the `baton.toml` schema, loading and merging, import/export of Codex and Claude configs."""

from __future__ import annotations

from baton.config.schema import (
    BatonConfig,
    GateConfig,
    LedgerConfig,
    PolicyConfig,
    ReviewConfig,
    RoutingConfig,
    ServerConfig,
    WorkerConfig,
)

__all__ = [
    "BatonConfig",
    "GateConfig",
    "LedgerConfig",
    "PolicyConfig",
    "ReviewConfig",
    "RoutingConfig",
    "ServerConfig",
    "WorkerConfig",
]
