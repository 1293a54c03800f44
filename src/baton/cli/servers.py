"""`baton servers list` and `baton servers doctor`: the upstream servers of baton.toml."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from baton.cli._app import ConfigOption, JsonOption, app, die, emit, stdout
from baton.errors import BatonError, UsageError

if TYPE_CHECKING:
    from baton.config.schema import BatonConfig, ServerConfig

__all__ = ["servers_app"]

servers_app = typer.Typer(
    help="List the upstream MCP servers in baton.toml, or check that they work.",
    no_args_is_help=True,
)
app.add_typer(servers_app, name="servers")

NameArgument = Annotated[
    str | None,
    typer.Argument(help="Check only this server (default: every enabled one).", show_default=False),
]


def _load(config_path: Path | None) -> BatonConfig:
    from baton.config.loading import load_config

    try:
        return load_config(config_path=config_path)
    except BatonError as error:
        die(error)


def _summary(name: str, server: ServerConfig) -> dict[str, Any]:
    from baton.upstream.auth import describe_auth

    auth = describe_auth(server, {})  # config only: whether variables are set is doctor's job
    return {
        "name": name,
        "transport": "stdio" if server.is_stdio else server.transport,
        "target": " ".join([server.command, *server.args]) if server.command else server.url,
        "enabled": server.enabled,
        "startup_timeout_sec": server.startup_timeout_sec,
        "tool_timeout_sec": server.tool_timeout_sec,
        "auth": auth.kind,
    }


def _render_list(rows: list[dict[str, Any]]) -> None:
    if not rows:
        stdout.print("no servers in baton.toml (add [servers.NAME], or `baton import codex`)")
        return
    table = Table("server", "transport", "command / url", "enabled", "timeouts (s)", "auth")
    for row in rows:
        timeouts = f"start {row['startup_timeout_sec']:g}, tool {row['tool_timeout_sec']:g}"
        enabled = "yes" if row["enabled"] else "[dim]no[/]"
        target = escape(str(row["target"]))
        table.add_row(row["name"], row["transport"], target, enabled, timeouts, row["auth"])
    stdout.print(table)


@servers_app.command("list")
def list_servers(as_json: JsonOption = False, config_path: ConfigOption = None) -> None:
    """List the configured servers (from the config only; nothing is started)."""
    config = _load(config_path)
    emit([_summary(name, server) for name, server in config.servers.items()], as_json, _render_list)


def _render_doctor(diagnoses: list[dict[str, Any]]) -> None:
    table = Table("server", "transport", "handshake", "server", "tools", "start-up", "auth")
    for d in diagnoses:
        mark = "[green]ok[/]" if d["ok"] else "[red]failed[/]"
        transport = d["transport"]["configured"]
        if d["transport"]["found"] and d["transport"]["found"] != transport:
            transport += f" -> {d['transport']['found']}"
        who = " ".join(filter(None, [d["server_name"], d["server_version"]]))
        started = f"{d['startup_ms']:.0f} ms" if d["startup_ms"] is not None else ""
        tools = "" if d["tool_count"] is None else str(d["tool_count"])
        auth = f"{d['auth']['kind']}: {d['auth']['state']}"
        handshake = mark if d["ok"] else f"{mark} {escape(d['handshake'])}"
        table.add_row(d["server"], transport, handshake, escape(who), tools, started, escape(auth))
    stdout.print(table)
    for d in diagnoses:
        if d["hint"]:
            stdout.print(f"[yellow]{escape(d['server'])}:[/] {escape(d['hint'])}", highlight=False)


@servers_app.command("doctor")
def doctor(
    name: NameArgument = None, as_json: JsonOption = False, config_path: ConfigOption = None
) -> None:
    """Connect to each enabled server (all at once) and report; exit 1 if any failed."""
    import anyio

    from baton.upstream.doctor import diagnose_all

    config = _load(config_path)
    servers = config.enabled_servers()
    if name is not None:
        if name not in config.servers:
            known = ", ".join(config.servers) or "none"
            die(UsageError(f"no server named '{name}' in baton.toml", hint=f"known: {known}"))
        servers = {name: config.servers[name]}
    diagnoses = [d.model_dump(mode="json") for d in anyio.run(diagnose_all, servers)]
    emit(diagnoses, as_json, _render_doctor)
    if not all(d["ok"] for d in diagnoses):
        raise typer.Exit(1)
