"""The `baton` command: thin typer commands over Config and the services.

Each command group lives in its own module and registers itself on `app`; heavy imports happen
inside the command functions so `baton --help` and start-up stay fast. The command modules are
imported when `app` is first needed, so `main` can start a stdio gateway's upstreams before
anything heavy is imported (`baton.cli._early`).
"""

from __future__ import annotations

import sys
import typing as _typing

if _typing.TYPE_CHECKING:
    from baton.cli._app import app

__all__ = ["app", "main"]


def _registered_app() -> _typing.Any:
    """The typer app, with every command module registered on it."""
    from baton.cli import audit as _audit  # noqa: F401
    from baton.cli import auth as _auth  # noqa: F401
    from baton.cli import delegate as _delegate  # noqa: F401
    from baton.cli import demo as _demo  # noqa: F401  (each module registers its commands)
    from baton.cli import export_policy as _export_policy  # noqa: F401
    from baton.cli import gates as _gates  # noqa: F401
    from baton.cli import hook as _hook  # noqa: F401
    from baton.cli import policy as _policy  # noqa: F401
    from baton.cli import probe as _probe  # noqa: F401
    from baton.cli import report as _report  # noqa: F401
    from baton.cli import route as _route  # noqa: F401
    from baton.cli import runs as _runs  # noqa: F401
    from baton.cli import serve as _serve  # noqa: F401
    from baton.cli import servers as _servers  # noqa: F401
    from baton.cli import transfer as _transfer  # noqa: F401
    from baton.cli._app import app

    return app


def __getattr__(name: str) -> _typing.Any:
    """`baton.cli.app`, registered on first access (PEP 562)."""
    if name == "app":
        return _registered_app()
    raise AttributeError(f"module 'baton.cli' has no attribute {name!r}")


def main() -> None:
    """Console-script entry point."""
    from baton.cli._early import start_upstreams_early

    start_upstreams_early(sys.argv[1:])
    _registered_app()()
