"""Baton: a lead agent delegates to a worker agent through one MCP gateway, under one policy."""

from __future__ import annotations

from baton.errors import (
    BatonError,
    ConfigError,
    UpstreamConfigError,
    UpstreamCrashed,
    UpstreamError,
    UpstreamStartError,
    UpstreamTimeout,
    UsageError,
)

__version__ = "0.1.0"

__all__ = [
    "BatonError",
    "ConfigError",
    "UpstreamConfigError",
    "UpstreamCrashed",
    "UpstreamError",
    "UpstreamStartError",
    "UpstreamTimeout",
    "UsageError",
    "__version__",
]
