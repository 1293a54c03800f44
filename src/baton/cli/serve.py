"""`baton serve` and `baton proxy`: run the gateway for a lead agent."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from baton.cli._app import ConfigOption, app, die
from baton.errors import BatonError, UsageError

if TYPE_CHECKING:
    from baton.config.schema import BatonConfig, ServeAuthConfig, ServerConfig
    from baton.gateway import Gateway

__all__ = ["proxy", "serve"]


class Transport(StrEnum):
    """How the lead reaches the gateway."""

    stdio = "stdio"
    http = "http"


def _quiet_logging(verbose: bool) -> None:
    # stdout carries the protocol; everything said to a person goes to stderr.
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="baton: %(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        logging.getLogger("mcp").setLevel(logging.WARNING)


async def _serve_http(gateway: Gateway, host: str, port: int, auth: ServeAuthConfig | None) -> None:
    """Resolve inbound authorization (refusing an open public bind) before any upstream starts."""
    import os

    from baton.gateway.http import bind_refusal
    from baton.gateway.inbound_auth import inbound_auth

    inbound = await inbound_auth(auth, os.environ) if auth is not None else None
    if (refusal := bind_refusal(host, inbound)) is not None:
        raise refusal
    await gateway.run_http(host, port, inbound=inbound)


def _run(
    loaded: BatonConfig,
    servers: Mapping[str, ServerConfig],
    *,
    prefix: bool,
    transport: Transport,
    host: str,
    port: int,
    auth: ServeAuthConfig | None = None,
) -> None:
    import anyio

    from baton.config import project_root
    from baton.gateway import Gateway
    from baton.gateway.delegation_tools import DelegationTools
    from baton.gateway.guard import Guard

    root = project_root(loaded)
    # Every proxied call is judged by the project's policy, every result redacted.
    guard = Guard(loaded.policy, root=str(root))
    own = DelegationTools(loaded, root)  # opens nothing until used; a proxy leaves them out
    gateway = Gateway(servers, prefix=prefix, guard=guard, own=own)
    try:
        if transport is Transport.stdio:
            anyio.run(gateway.run_stdio)
        else:
            anyio.run(_serve_http, gateway, host, port, auth)
    except BaseExceptionGroup as group:  # task groups wrap what failed inside them
        match, _ = group.split(BatonError)
        if match is None:
            raise
        raise _first(match) from group


def _first(group: BaseExceptionGroup[BatonError]) -> BatonError:
    error = group.exceptions[0]
    return _first(error) if isinstance(error, BaseExceptionGroup) else error


@app.command()
def serve(
    config: ConfigOption = None,
    transport: Annotated[Transport, typer.Option(help="stdio (default) or streamable HTTP.")] = (
        Transport.stdio
    ),
    host: Annotated[str, typer.Option(help="Address to bind with --transport http.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind with --transport http.")] = 8765,
    no_prefix: Annotated[
        bool,
        typer.Option("--no-prefix", help="Keep tool names unchanged (exactly one upstream)."),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log to stderr.")] = False,
    auth_token_env: Annotated[
        str | None, typer.Option(help="HTTP: require this env variable's value as bearer token.")
    ] = None,
    auth_issuer: Annotated[
        str | None, typer.Option(help="HTTP: act as OAuth resource server for this issuer.")
    ] = None,
    auth_resource: Annotated[
        str | None, typer.Option(help="HTTP: this gateway's public MCP URL (token audience).")
    ] = None,
    auth_jwks_url: Annotated[str | None, typer.Option(help="HTTP: the issuer's JWKS.")] = None,
    auth_introspection_url: Annotated[
        str | None, typer.Option(help="HTTP: validate tokens by RFC 7662 introspection.")
    ] = None,
) -> None:
    """Run the Baton MCP gateway: every enabled upstream tool as <server>__<tool>."""
    from baton.config.loading import load_config

    _quiet_logging(verbose)
    flags = {
        "bearer_token_env_var": auth_token_env,
        "issuer": auth_issuer,
        "resource": auth_resource,
        "jwks_url": auth_jwks_url,
        "introspection_url": auth_introspection_url,
    }
    try:
        loaded = load_config(config_path=config)
        auth = _serve_auth(loaded.serve.auth, flags)
        _run(
            loaded,
            loaded.servers,
            prefix=not no_prefix,
            transport=transport,
            host=host,
            port=port,
            auth=auth,
        )
    except BatonError as error:
        die(error)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


def _serve_auth(configured: ServeAuthConfig, flags: dict[str, Any]) -> ServeAuthConfig:
    """`[serve.auth]` with the command-line flags that were given laid over it."""
    from pydantic import ValidationError

    from baton.config.schema import ServeAuthConfig

    given = {key: value for key, value in flags.items() if value is not None}
    if given.get("bearer_token_env_var"):
        given["issuer"] = None  # a flag picks the mode outright
    elif given.get("issuer"):
        given["bearer_token_env_var"] = None
    try:
        return ServeAuthConfig.model_validate({**configured.model_dump(), **given})
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise UsageError(f"serve authorization: {reason}") from exc


@app.command()
def proxy(
    name: Annotated[str, typer.Argument(help="The upstream server to expose.")],
    config: ConfigOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log to stderr.")] = False,
) -> None:
    """Expose one upstream over stdio unchanged (what mcp-proxy and mcp-remote are used for)."""
    from baton.config.loading import load_config

    _quiet_logging(verbose)
    try:
        loaded = load_config(config_path=config)
        if name not in loaded.servers:
            known = ", ".join(loaded.servers) or "none"
            raise UsageError(f"no server named '{name}' (configured: {known})")
        server = loaded.servers[name].model_copy(update={"enabled": True})
        _run(loaded, {name: server}, prefix=False, transport=Transport.stdio, host="", port=0)
    except BatonError as error:
        die(error)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
