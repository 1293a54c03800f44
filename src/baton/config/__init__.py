"""Configuration: the `baton.toml` schema, loading and merging, Codex and Claude import/export."""

from __future__ import annotations

from baton.config._transfer import Entries, TransferReport
from baton.config.claude import default_claude_path, export_claude, import_claude
from baton.config.codex import default_codex_path, export_codex, import_codex
from baton.config.loading import (
    PROJECT_FILE_NAME,
    find_project_file,
    load_config,
    project_root,
    user_config_path,
)
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
    "PROJECT_FILE_NAME",
    "BatonConfig",
    "Entries",
    "GateConfig",
    "LedgerConfig",
    "PolicyConfig",
    "ReviewConfig",
    "RoutingConfig",
    "ServerConfig",
    "TransferReport",
    "WorkerConfig",
    "default_claude_path",
    "default_codex_path",
    "export_claude",
    "export_codex",
    "find_project_file",
    "import_claude",
    "import_codex",
    "load_config",
    "project_root",
    "user_config_path",
]
