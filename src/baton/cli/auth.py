"""`baton login NAME`, `baton logout NAME` and `baton auth status`: OAuth logins of url servers,
and for every server where its authorization comes from. Tokens are never printed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from baton.cli._app import ConfigOption, JsonOption, app, die, emit, stderr, stdout
from baton.errors import BatonError, UsageError

if TYPE_CHECKING:
    from baton.auth.store import TokenStore
    from baton.config.schema import BatonConfig, ServerConfig

__all__ = ["auth_app"]

auth_app = typer.Typer(help="Authorization state of the configured servers.", no_args_is_help=True)
app.add_typer(auth_app, name="auth")

NameArgument = Annotated[str, typer.Argument(help="The [servers.NAME] to act on.")]


def _load(config_path: Path | None) -> BatonConfig:
    from baton.config.loading import load_config

    try:
        return load_config(config_path=config_path)
    except BatonError as error:
        die(error)


def _server(config: BatonConfig, name: str) -> ServerConfig:
    if name not in config.servers:
        known = ", ".join(config.servers) or "none"
        die(UsageError(f"no server named '{name}' in baton.toml", hint=f"known: {known}"))
    return config.servers[name]


def _expiry(expires_at: float | None) -> str | None:
    if expires_at is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_at))


@app.command("login")
def login(
    name: NameArgument,
    headless: Annotated[
        bool,
        typer.Option(help="No browser: follow an authorization server that approves by itself."),
    ] = False,
    as_json: JsonOption = False,
    config_path: ConfigOption = None,
) -> None:
    """Authorize Baton with an OAuth server now (browser, loopback redirect) and store tokens."""
    import logging
    import os

    import anyio

    from baton.auth.store import default_store
    from baton.upstream.oauth.login import login as run_login

    server = _server(_load(config_path), name)
    logging.getLogger("mcp.client.auth").setLevel(logging.CRITICAL)  # errors are reported below

    def tell(text: str) -> None:
        stderr.print(text, highlight=False, soft_wrap=True)

    try:
        result = anyio.run(
            lambda: run_login(
                name, server, os.environ, default_store(), headless=headless, tell=tell
            )
        )
    except BatonError as error:
        die(error)
    data = {**result.model_dump(mode="json"), "expires_at": _expiry(result.expires_at)}
    emit(data, as_json, _render_login)


def _render_login(data: dict[str, Any]) -> None:
    if not data["logged_in"]:
        stdout.print(f"'{escape(data['server'])}': {data['note']}; nothing stored")
        return
    expiry = f", expires {data['expires_at']}" if data["expires_at"] else ""
    scopes = f", scopes {escape(data['scopes'])}" if data["scopes"] else ""
    stdout.print(
        f"[green]logged in[/] to '{escape(data['server'])}' over {data['transport']}"
        f"{scopes}{expiry}; tokens kept in {escape(data['store'])}"
    )


@app.command("logout")
def logout(name: NameArgument, config_path: ConfigOption = None) -> None:
    """Forget the stored OAuth tokens and client registration of a server."""
    from baton.auth.store import default_store
    from baton.upstream.oauth.login import logout as run_logout

    _server(_load(config_path), name)
    store = default_store()
    if run_logout(name, store):
        stdout.print(f"logged out of '{escape(name)}' (removed from {escape(store.where)})")
    else:
        stdout.print(f"'{escape(name)}' had no stored login")


def _status(name: str, server: ServerConfig, store: TokenStore, now: float) -> dict[str, Any]:
    import os

    from baton.upstream.auth import describe_auth
    from baton.upstream.oauth import stored_login

    record = stored_login(name, server, store)
    summary = describe_auth(server, os.environ, record, now=now)
    tokens = record.tokens if record is not None else None
    return {
        "server": name,
        "kind": summary.kind,
        "state": summary.state,
        "expires_at": _expiry(record.expires_at) if record is not None and tokens else None,
        "scopes": tokens.scope if tokens else None,
        "store": store.where if tokens else None,
    }


def _render_status(rows: list[dict[str, Any]]) -> None:
    table = Table("server", "kind", "state", "store")
    for row in rows:
        table.add_row(row["server"], row["kind"], escape(row["state"]), escape(row["store"] or ""))
    stdout.print(table)


@auth_app.command("status")
def status(as_json: JsonOption = False, config_path: ConfigOption = None) -> None:
    """Per server: kind (none, bearer, headers, oauth), state, expiry and scopes."""
    from baton.auth.store import default_store

    config, store, now = _load(config_path), default_store(), time.time()
    rows = [_status(name, server, store, now) for name, server in config.servers.items()]
    emit(rows, as_json, _render_status)
