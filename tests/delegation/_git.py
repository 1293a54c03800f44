"""Real git for the delegation tests: run it as a fixed user, and write files into a tree."""

from __future__ import annotations

import subprocess
from pathlib import Path

# A fixed identity, so commits work whatever the machine's git config says.
IDENTITY = ("-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false")


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd` as the fixed user; its output, or `CalledProcessError` if it fails."""
    done = subprocess.run(
        ["git", *IDENTITY, *args], cwd=cwd, capture_output=True, check=True, timeout=30
    )
    return done.stdout.decode(errors="replace")


def write(root: Path, rel: str, data: str | bytes) -> None:
    """Write a file, making its directories."""
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(data.encode() if isinstance(data, str) else data)
