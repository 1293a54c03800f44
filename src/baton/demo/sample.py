"""The demo's sample project: a small stock-keeping service with real tests, in its own git repo.

`inventory/` holds a SQLite database layer, the stock API (`Stockroom`), pricing helpers and a
tiny request router; `tests/` covers some of it with pytest. The `baton.toml` beside it names
the Codex worker (jailed with bubblewrap) and a pytest gate, which is what the six delegations
run through.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GIT_IDENTITY", "SampleSettings", "commit", "write_sample"]

# Commits in the sample repository are the demo's, whatever the user's git config says.
GIT_IDENTITY = (
    "-c", "user.name=baton demo", "-c", "user.email=demo@baton.invalid",
    "-c", "commit.gpgsign=false",
)  # fmt: skip
# One git call in the sample repository; git on a small tree takes milliseconds.
GIT_TIMEOUT_SEC = 30

FILES: dict[str, str] = {
    "README.md": "# inventory\n\nA small stock-keeping service: the sample project of "
    "`baton demo`.\n",
    ".gitignore": "__pycache__/\n.pytest_cache/\n",
    "pyproject.toml": '[project]\nname = "inventory"\nversion = "0.1.0"\n'
    'requires-python = ">=3.11"\n\n[tool.pytest.ini_options]\npythonpath = ["."]\n'
    'testpaths = ["tests"]\n',
    "inventory/__init__.py": '"""A small stock-keeping service."""\n',
    "inventory/db.py": '''"""The database: one SQLite file (or memory) with the schema in place."""

import sqlite3

SCHEMA = """CREATE TABLE IF NOT EXISTS items (
    sku TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0)
)"""


def connect(path: str = ":memory:") -> sqlite3.Connection:
    """A connection to the database at `path`, with the schema created."""
    conn = sqlite3.connect(path)
    conn.execute(SCHEMA)
    return conn
''',
    "inventory/stock.py": '''"""Stock levels: `Stockroom` is the one way to the items table."""

import sqlite3


class Stockroom:
    """The stock kept in one database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def receive(self, sku: str, name: str, quantity: int) -> None:
        """Add `quantity` of an item, creating it if it is new."""
        self._conn.execute(
            "INSERT INTO items (sku, name, quantity) VALUES (?, ?, ?) "
            "ON CONFLICT(sku) DO UPDATE SET quantity = quantity + excluded.quantity",
            (sku, name, quantity),
        )

    def level(self, sku: str) -> int:
        """How many of an item are in stock (0 for an unknown item)."""
        row = self._conn.execute("SELECT quantity FROM items WHERE sku = ?", (sku,)).fetchone()
        return int(row[0]) if row else 0

    def levels(self) -> dict[str, int]:
        """Every item's stock level, by SKU."""
        return dict(self._conn.execute("SELECT sku, quantity FROM items ORDER BY sku"))
''',
    "inventory/pricing.py": '''"""Prices in cents: order totals and discounts."""


def apply_discount(cents: int, percent: int) -> int:
    """The price after a percentage discount, rounded down to the cent."""
    if not 0 <= percent <= 100:
        raise ValueError(f"a discount is 0-100%, not {percent}%")
    return cents * (100 - percent) // 100


def total(lines: list[tuple[int, int]]) -> int:
    """The sum of (unit price in cents, quantity) lines."""
    return sum(price * quantity for price, quantity in lines)
''',
    "inventory/app.py": '''"""The service's routes: a GET of a path answered as (status, body)."""

import sqlite3
from collections.abc import Callable

from inventory.stock import Stockroom

Response = tuple[int, dict[str, object]]


class App:
    """The routes of the service over one database connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.routes: dict[str, Callable[[], Response]] = {
            "/items": self.items,
        }

    def handle(self, path: str) -> Response:
        """Answer a GET of `path`: its route's response, or 404."""
        route = self.routes.get(path)
        return route() if route else (404, {"error": f"no route {path}"})

    def items(self) -> Response:
        """Every item's stock level."""
        return 200, {"items": Stockroom(self.conn).levels()}
''',
    "tests/test_pricing.py": """from inventory.pricing import apply_discount, total


def test_total_adds_up_the_lines() -> None:
    assert total([(250, 2), (100, 1)]) == 600


def test_a_discount_rounds_down_to_the_cent() -> None:
    assert apply_discount(999, 10) == 899
""",
    "tests/test_app.py": """from inventory.app import App
from inventory.db import connect
from inventory.stock import Stockroom


def test_items_lists_the_stock_levels() -> None:
    conn = connect()
    Stockroom(conn).receive("A-1", "bolt", 4)
    assert App(conn).handle("/items") == (200, {"items": {"A-1": 4}})


def test_an_unknown_path_is_404() -> None:
    assert App(connect()).handle("/nope")[0] == 404
""",
}


@dataclass(frozen=True)
class SampleSettings:
    """What the sample's `baton.toml` says about the worker and the gate."""

    codex: Sequence[str]  # the Codex CLI's command line
    env_vars: Sequence[str]  # what the worker keeps from the demo's environment, in its jail
    worker_timeout_sec: float
    allow_unjailed: bool = False
    gate: str = "python -m pytest -q -p no:cacheprovider"


def _baton_toml(settings: SampleSettings) -> str:
    def toml_list(items: Sequence[str]) -> str:
        return "[" + ", ".join(json.dumps(item) for item in items) + "]"

    lines = [
        "# Written by `baton demo`: the Codex CLI as the worker, jailed with bubblewrap, and the",
        "# project's tests as the quality gate.",
        "[workers.codex]",
        'adapter = "codex-exec"',
        f"command = {toml_list(settings.codex)}",
        f"timeout_sec = {settings.worker_timeout_sec:g}",
        f"env_vars = {toml_list(settings.env_vars)}",
        "",
        "[[gates]]",
        'name = "test"',
        f"command = {json.dumps(settings.gate)}",
    ]
    if settings.allow_unjailed:
        lines += ["", "[policy]", "allow_unjailed_worker = true  # baton demo --unjailed"]
    return "\n".join(lines) + "\n"


def git(repo: Path, *args: str) -> str:
    """Run git in the sample repository as the demo; its output."""
    done = subprocess.run(
        ["git", *GIT_IDENTITY, *args],
        cwd=repo, capture_output=True, text=True, check=True, timeout=GIT_TIMEOUT_SEC,
    )  # fmt: skip
    return done.stdout


def commit(repo: Path, message: str) -> None:
    """Commit everything in the sample repository's tree."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def write_sample(root: Path, settings: SampleSettings) -> Path:
    """Write the sample project into `root` (created), commit it, and return its `baton.toml`."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    config = root / "baton.toml"
    config.write_text(_baton_toml(settings))
    git(root, "init", "-q", "-b", "main")
    commit(root, "inventory: a small stock-keeping service")
    return config
