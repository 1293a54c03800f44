"""Claude Code's `.mcp.json` (`mcpServers`): import into baton.toml, export from it.

Claude Code expands `${VAR}` and `${VAR:-default}` in command, args, env, url and headers.
Baton keeps those references as written and expands them when it connects (same rules), so a
secret stays in the environment. Two header forms become Baton's own keys:
`Authorization: Bearer ${VAR}` -> `bearer_token_env_var`, and a value of just `${VAR}` ->
`env_http_headers`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from baton.config._files import parse_json, read_text
from baton.config._headers import split_headers
from baton.config._transfer import (
    Collected,
    Entries,
    TransferReport,
    collect_servers,
    gateway_command,
    warn_dropped,
    write_entries,
)
from baton.config.schema import (
    DEFAULT_STARTUP_TIMEOUT_SEC,
    DEFAULT_TOOL_TIMEOUT_SEC,
    BatonConfig,
    ServerConfig,
)
from baton.errors import ConfigError

__all__ = ["default_claude_path", "export_claude", "import_claude"]

_TRANSPORT_OF_TYPE = {"stdio": "stdio", "http": "streamable-http", "sse": "sse"}
_TYPE_OF_TRANSPORT = {"auto": "http", "streamable-http": "http", "sse": "sse"}
_KNOWN_KEYS = frozenset({"type", "command", "args", "env", "url", "headers"})


def default_claude_path() -> Path:
    """`.mcp.json` in the working directory: Claude Code's project-scoped server list."""
    return Path.cwd() / ".mcp.json"


def import_claude(
    source: Path, into: Path, *, force: bool = False, dry_run: bool = False
) -> TransferReport:
    """Copy the `mcpServers` of a `.mcp.json` into `into` as `[servers.NAME]`."""
    hint = "pass the file: `baton import claude PATH`"
    data = parse_json(read_text(source, what="Claude Code MCP config", hint=hint), source)
    servers = data.get("mcpServers", {})
    if not isinstance(servers, dict):
        raise ConfigError("`mcpServers` is not an object", file=str(source), key="mcpServers")
    collected = Collected()
    if not servers:
        collected.warnings.append(f"no mcpServers in {source}")
    for name, raw in servers.items():
        if isinstance(raw, dict):
            _from_claude(name, raw, collected)
        else:
            collected.skipped[name] = "not an object"
    return write_entries("import", into, collected, key="servers", force=force, dry_run=dry_run)


def export_claude(
    config: BatonConfig,
    target: Path,
    *,
    entries: Entries = Entries.GATEWAY,
    command: str | None = None,
    force: bool = False,
    dry_run: bool = False,
) -> TransferReport:
    """Write the gateway and/or Baton's enabled servers into a `.mcp.json` as `mcpServers`."""

    def gateway() -> dict[str, Any]:
        executable, args = gateway_command(config.project_file, command)
        return {"type": "stdio", "command": executable, "args": args, "env": {}}

    collected = collect_servers(config, entries, _to_claude, gateway)
    return write_entries(
        "export", target, collected, key="mcpServers", force=force, dry_run=dry_run, fmt="json"
    )


def _from_claude(name: str, raw: dict[str, Any], collected: Collected) -> None:
    kind = raw.get("type", "stdio" if "command" in raw else None)
    if kind is not None and kind not in _TRANSPORT_OF_TYPE:
        collected.skipped[name] = f"type '{kind}' is not one Baton connects to (stdio, http, sse)"
        return
    if kind == "stdio" and "command" not in raw:
        collected.skipped[name] = "type 'stdio' needs `command`"
        return
    unknown = [key for key in raw if key not in _KNOWN_KEYS]
    if unknown:
        collected.warnings.append(f"{name}: skipped keys Baton does not know: {', '.join(unknown)}")
    entry: dict[str, Any] = {k: raw[k] for k in ("command", "args", "env", "url") if k in raw}
    if kind in ("http", "sse"):
        entry["transport"] = _TRANSPORT_OF_TYPE[kind]
    entry.update(_headers(raw.get("headers")))
    collected.add_server(name, entry)


def _headers(headers: Any) -> dict[str, Any]:
    """Baton's header keys for Claude's `headers` (invalid values are left for the schema)."""
    if headers is None:
        return {}
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        return {"http_headers": headers}
    split = split_headers(headers)
    keys: dict[str, Any] = {}
    if split.bearer_token_env_var:
        keys["bearer_token_env_var"] = split.bearer_token_env_var
    if split.http_headers:
        keys["http_headers"] = split.http_headers
    if split.env_http_headers:
        keys["env_http_headers"] = split.env_http_headers
    return keys


def _to_claude(name: str, server: ServerConfig, collected: Collected) -> dict[str, Any]:
    entry: dict[str, Any]
    if server.command is not None:
        entry = {
            "type": "stdio",
            "command": server.command,
            "args": list(server.args),
            "env": dict(server.env),
        }
    else:
        entry = {"type": _TYPE_OF_TRANSPORT.get(server.transport, "http"), "url": server.url}
        headers = dict(server.http_headers)
        headers.update({h: f"${{{var}}}" for h, var in server.env_http_headers.items()})
        if server.bearer_token_env_var:
            headers.setdefault("Authorization", f"Bearer ${{{server.bearer_token_env_var}}}")
        if headers:
            entry["headers"] = headers
    dropped = {
        "cwd": server.cwd is not None,
        "startup_timeout_sec": server.startup_timeout_sec != DEFAULT_STARTUP_TIMEOUT_SEC,
        "tool_timeout_sec": server.tool_timeout_sec != DEFAULT_TOOL_TIMEOUT_SEC,
        "enabled_tools": server.enabled_tools is not None,
        "disabled_tools": bool(server.disabled_tools),
    }
    warn_dropped(collected, name, dropped, "Claude Code's .mcp.json")
    return entry
