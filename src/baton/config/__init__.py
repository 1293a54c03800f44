"""Configuration: the `baton.toml` schema, loading and merging, Codex and Claude import/export.

The import/export half (`claude`, `codex`, `_transfer`) is loaded on first use: `baton serve`
loads a config on every start and never needs it.
"""

from __future__ import annotations

import typing as _typing

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
    ReportConfig,
    ReviewConfig,
    RoutingConfig,
    ServeAuthConfig,
    ServeConfig,
    ServerConfig,
    WorkerConfig,
)

if _typing.TYPE_CHECKING:
    from baton.config._transfer import Entries, TransferReport
    from baton.config.claude import default_claude_path, export_claude, import_claude
    from baton.config.codex import default_codex_path, export_codex, import_codex

__all__ = [
    "PROJECT_FILE_NAME",
    "BatonConfig",
    "Entries",
    "GateConfig",
    "LedgerConfig",
    "PolicyConfig",
    "ReportConfig",
    "ReviewConfig",
    "RoutingConfig",
    "ServeAuthConfig",
    "ServeConfig",
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

# name -> the module that defines it, imported when the name is first asked for
_LAZY = {
    "Entries": "baton.config._transfer",
    "TransferReport": "baton.config._transfer",
    "default_claude_path": "baton.config.claude",
    "export_claude": "baton.config.claude",
    "import_claude": "baton.config.claude",
    "default_codex_path": "baton.config.codex",
    "export_codex": "baton.config.codex",
    "import_codex": "baton.config.codex",
}


def __getattr__(name: str) -> _typing.Any:
    """Import the import/export half on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'baton.config' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
