"""The `baton` command: thin typer commands over Config and the services.

Each command group lives in its own module and registers itself on `app`; heavy imports happen
inside the command functions so `baton --help` and start-up stay fast.
"""

from __future__ import annotations

from baton.cli import auth as _auth  # noqa: F401
from baton.cli import demo as _demo  # noqa: F401  (each module registers its commands)
from baton.cli import export_policy as _export_policy  # noqa: F401
from baton.cli import hook as _hook  # noqa: F401
from baton.cli import policy as _policy  # noqa: F401
from baton.cli import probe as _probe  # noqa: F401
from baton.cli import route as _route  # noqa: F401
from baton.cli import serve as _serve  # noqa: F401
from baton.cli import servers as _servers  # noqa: F401
from baton.cli import transfer as _transfer  # noqa: F401
from baton.cli._app import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    app()
