"""Codex CLI's `[mcp_servers.NAME]` tables (config.toml): import into baton.toml, export from it.

The keys are the same as Baton's `[servers.NAME]`, with three differences: Codex has no
`transport` (a `url` is always Streamable HTTP), forwards variables by name with `env_vars`
instead of `${VAR}`, and once spelled the start-up timeout `startup_timeout_ms`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from baton.config._files import parse_toml, read_text
from baton.config._headers import split_headers
from baton.config._transfer import (
    Collected,
    Entries,
    TransferReport,
    collect_servers,
    gateway_command,
    write_entries,
)
from baton.config.expand import expand, references
from baton.config.schema import (
    DEFAULT_STARTUP_TIMEOUT_SEC,
    DEFAULT_TOOL_TIMEOUT_SEC,
    BatonConfig,
    ServerConfig,
)
from baton.errors import ConfigError

__all__ = ["default_codex_path", "export_codex", "import_codex"]

_Expand = Callable[[str, str], str]  # (value, key) -> value with ${VAR} expanded

_SAME_KEYS = frozenset(
    {"command", "args", "env", "cwd", "url", "bearer_token_env_var", "http_headers"}
    | {"env_http_headers", "startup_timeout_sec", "tool_timeout_sec", "enabled"}
    | {"enabled_tools", "disabled_tools"}
)


def default_codex_path() -> Path:
    """`$CODEX_HOME/config.toml`, else `~/.codex/config.toml`."""
    home = os.environ.get("CODEX_HOME")
    return (Path(home) if home else Path.home() / ".codex") / "config.toml"


def import_codex(
    source: Path, into: Path, *, force: bool = False, dry_run: bool = False
) -> TransferReport:
    """Copy the `[mcp_servers]` of a Codex config into `into` as `[servers.NAME]`."""
    hint = "pass the file: `baton import codex PATH`, or set CODEX_HOME"
    data = parse_toml(read_text(source, what="Codex config", hint=hint), source)
    servers = data.get("mcp_servers", {})
    if not isinstance(servers, dict):
        raise ConfigError("`mcp_servers` is not a table", file=str(source), key="mcp_servers")
    collected = Collected()
    if not servers:
        collected.warnings.append(f"no [mcp_servers] tables in {source}")
    for name, table in servers.items():
        if isinstance(table, dict):
            collected.add_server(name, _from_codex(name, table, collected))
        else:
            collected.skipped[name] = "not a table"
    return write_entries("import", into, collected, key="servers", force=force, dry_run=dry_run)


def export_codex(
    config: BatonConfig,
    target: Path,
    *,
    entries: Entries = Entries.SERVERS,
    command: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
) -> TransferReport:
    """Write Baton's enabled servers and/or the gateway into a Codex config as `[mcp_servers]`."""
    env = os.environ if environ is None else environ

    def convert(name: str, server: ServerConfig, collected: Collected) -> dict[str, Any]:
        return _to_codex(name, server, collected, env)

    def gateway() -> dict[str, Any]:
        executable, args = gateway_command(config.project_file, command)
        return {"command": executable, "args": args}

    collected = collect_servers(config, entries, convert, gateway)
    return write_entries(
        "export", target, collected, key="mcp_servers", force=force, dry_run=dry_run
    )


def _from_codex(name: str, table: dict[str, Any], collected: Collected) -> dict[str, Any]:
    entry = {key: value for key, value in table.items() if key in _SAME_KEYS}
    unknown = [key for key in table if key not in _SAME_KEYS | {"startup_timeout_ms", "env_vars"}]
    if unknown:
        collected.warnings.append(f"{name}: skipped keys Baton does not know: {', '.join(unknown)}")
    milliseconds = table.get("startup_timeout_ms")
    if isinstance(milliseconds, int | float) and "startup_timeout_sec" not in table:
        entry["startup_timeout_sec"] = _number(milliseconds / 1000)
    forwarded = table.get("env_vars", [])
    if not isinstance(forwarded, list) or not all(isinstance(var, str) for var in forwarded):
        collected.warnings.append(f"{name}: skipped env_vars, which is not a list of names")
    elif forwarded:  # Baton says "pass VAR through" as VAR = "${VAR}"
        env = entry.get("env", {})
        entry["env"] = (
            {**{var: f"${{{var}}}" for var in forwarded}, **env} if isinstance(env, dict) else env
        )
    return entry


def _to_codex(
    name: str, server: ServerConfig, collected: Collected, environ: Mapping[str, str]
) -> dict[str, Any]:
    """Codex's table for one server; `${VAR}` Codex cannot express is expanded from `environ`."""
    expanded: list[str] = []

    def value(text: str, key: str) -> str:
        expanded.extend(references(text))
        return expand(text, environ, where=f"servers.{name}.{key}")

    if server.command is not None:
        entry = _stdio(server.command, server, value)
    else:
        entry = _remote(server.url or "", server, value)
    if server.transport == "sse":
        collected.warnings.append(
            f"{name}: Codex cannot speak the legacy SSE transport, so this entry will fail to "
            "connect; export with --entries gateway and let Baton bridge it"
        )
    if server.startup_timeout_sec != DEFAULT_STARTUP_TIMEOUT_SEC:
        entry["startup_timeout_sec"] = _number(server.startup_timeout_sec)
    if server.tool_timeout_sec != DEFAULT_TOOL_TIMEOUT_SEC:
        entry["tool_timeout_sec"] = _number(server.tool_timeout_sec)
    if server.enabled_tools is not None:
        entry["enabled_tools"] = list(server.enabled_tools)
    if server.disabled_tools:
        entry["disabled_tools"] = list(server.disabled_tools)
    if expanded:
        collected.private = True
        collected.warnings.append(
            f"{name}: Codex does not expand ${{VAR}}; wrote the current value of "
            f"{', '.join(dict.fromkeys(expanded))} into the file"
        )
    return entry


def _stdio(command: str, server: ServerConfig, value: _Expand) -> dict[str, Any]:
    entry: dict[str, Any] = {"command": value(command, "command")}
    if server.args:
        entry["args"] = [value(arg, f"args[{i}]") for i, arg in enumerate(server.args)]
    forwarded = [key for key, text in server.env.items() if text == f"${{{key}}}"]
    env = {
        key: value(text, f"env.{key}") for key, text in server.env.items() if key not in forwarded
    }
    if env:
        entry["env"] = env
    if forwarded:
        entry["env_vars"] = forwarded
    if server.cwd is not None:
        entry["cwd"] = str(server.cwd)
    return entry


def _remote(url: str, server: ServerConfig, value: _Expand) -> dict[str, Any]:
    entry: dict[str, Any] = {"url": value(url, "url")}
    split = split_headers(server.http_headers)
    bearer = server.bearer_token_env_var or split.bearer_token_env_var
    if server.bearer_token_env_var and split.bearer_token_env_var:
        split.http_headers["Authorization"] = f"Bearer ${{{split.bearer_token_env_var}}}"
    if bearer:
        entry["bearer_token_env_var"] = bearer
    headers = {k: value(v, f"http_headers.{k}") for k, v in split.http_headers.items()}
    if headers:
        entry["http_headers"] = headers
    env_headers = {**split.env_http_headers, **server.env_http_headers}
    if env_headers:
        entry["env_http_headers"] = env_headers
    return entry


def _number(seconds: float) -> int | float:
    """30 rather than 30.0, as people write it."""
    return int(seconds) if float(seconds).is_integer() else seconds
