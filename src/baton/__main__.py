"""`python -m baton`: the same command as the `baton` script."""

from __future__ import annotations

from baton.cli import main

if __name__ == "__main__":
    main()
