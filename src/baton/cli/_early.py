"""Before the CLI's imports: start the stdio upstreams of `baton serve` / `baton proxy NAME`.

Reads just enough of the command line to know the command and the config file, then hands the
servers to `baton._early_start`, so their start-up overlaps Baton's own imports. Only for the
stdio gateway: `--transport http` decides inbound authorization before any upstream may start.
Anything unusual (help, an option this does not know, a config that does not load) means no
early start: the command then runs exactly as it would have, and reports what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = ["start_upstreams_early"]

_CONFIG = ("--config", "-c")
_FLAGS = {"serve": {"--no-prefix", "--verbose", "-v"}, "proxy": {"--verbose", "-v"}}
_SERVE_VALUES = {"--transport", "--host", "--port"}


def _parse(argv: Sequence[str]) -> tuple[str, Path | None, list[str]] | None:
    """(command, --config, positionals) of a stdio `serve` or `proxy`; None for anything else."""
    if not argv or argv[0] not in _FLAGS:
        return None
    command, config, positionals = argv[0], None, []
    args = iter(argv[1:])
    for arg in args:
        name, eq, inline = arg.partition("=")
        if name in _CONFIG or (command == "serve" and name in _SERVE_VALUES):
            value = inline if eq else next(args, None)
            if value is None or (name == "--transport" and value != "stdio"):
                return None
            if name in _CONFIG:
                config = Path(value)
        elif arg in _FLAGS[command]:
            continue
        elif arg.startswith("-"):
            return None  # --help, or an option typer will explain
        else:
            positionals.append(arg)
    return command, config, positionals


def start_upstreams_early(argv: Sequence[str]) -> None:
    """Spawn the stdio upstreams the command line will use, if it is a stdio gateway."""
    parsed = _parse(argv)
    if parsed is None:
        return
    command, config_path, positionals = parsed
    from baton._early_start import start_early
    from baton.config.loading import load_config
    from baton.errors import BatonError

    try:
        servers = load_config(config_path=config_path).servers
    except BatonError:
        return  # the command itself reports it
    if command == "serve" and not positionals:
        start_early((name, config) for name, config in servers.items() if config.enabled)
    elif command == "proxy" and len(positionals) == 1 and positionals[0] in servers:
        start_early([(positionals[0], servers[positionals[0]])])  # proxy enables it regardless
