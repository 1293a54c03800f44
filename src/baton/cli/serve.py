"""`baton serve` and `baton proxy`: run the gateway for a lead agent."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Annotated

import typer

from baton.cli._app import ConfigOption, app, die
from baton.errors import BatonError, UsageError

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


def _run(
    servers: dict[str, object], *, prefix: bool, transport: Transport, host: str, port: int
) -> None:
    import anyio

    from baton.gateway import Gateway

    gateway = Gateway(servers, prefix=prefix)  # type: ignore[arg-type]
    try:
        if transport is Transport.stdio:
            anyio.run(gateway.run_stdio)
        else:
            anyio.run(gateway.run_http, host, port)
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
) -> None:
    """Run the Baton MCP gateway: every enabled upstream tool as <server>__<tool>."""
    from baton.config.loading import load_config

    _quiet_logging(verbose)
    try:
        loaded = load_config(config_path=config)
        _run(dict(loaded.servers), prefix=not no_prefix, transport=transport, host=host, port=port)
    except BatonError as error:
        die(error)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


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
        _run({name: server}, prefix=False, transport=Transport.stdio, host="", port=0)
    except BatonError as error:
        die(error)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
