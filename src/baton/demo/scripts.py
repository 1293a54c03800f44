"""What the scripted model answers in each of the demo's delegations, turn by turn.

The real Codex CLI carries each turn out: it edits files with `apply_patch` and runs shell
commands in its jailed workspace; Baton then judges the result as it would any worker's. A retry
continues the same script: its turns come after the first attempt's. The three edge cases are
mistakes real workers make: an edit outside the scope, a key written into the code, and a
project-internal API guessed wrong, twice.
"""

from __future__ import annotations

from baton.demo.scripted_model import Item, apply_patch_call, message, shell_call, turn

__all__ = ["SCRIPTS"]


def _add(path: str, text: str) -> str:
    """An apply_patch section that adds one file."""
    return f"*** Add File: {path}\n" + "".join(f"+{line}\n" for line in text.splitlines())


def _patch(*sections: str) -> Item:
    """A call of Codex's apply_patch tool with these sections."""
    return apply_patch_call("*** Begin Patch\n" + "".join(sections) + "*** End Patch\n")


FORMAT_PRICE = """*** Update File: inventory/pricing.py
@@
     return sum(price * quantity for price, quantity in lines)
+
+
+def format_price(cents: int) -> str:
+    \"\"\"A price in cents shown in dollars: 1234 -> "$12.34".\"\"\"
+    return f"${cents // 100}.{cents % 100:02d}"
"""

STOCK_TESTS = """from inventory.db import connect
from inventory.stock import Stockroom


def test_receive_adds_to_the_level() -> None:
    stock = Stockroom(connect())
    stock.receive("A-1", "bolt", 3)
    stock.receive("A-1", "bolt", 2)
    assert stock.level("A-1") == 5


def test_an_unknown_item_has_level_zero() -> None:
    assert Stockroom(connect()).level("Z-9") == 0


def test_levels_lists_every_item_by_sku() -> None:
    stock = Stockroom(connect())
    stock.receive("B-2", "nut", 7)
    stock.receive("A-1", "bolt", 1)
    assert stock.levels() == {"A-1": 1, "B-2": 7}
"""

HEALTH = '''"""The health check: is the service up, and does its database answer."""

import sqlite3


def check_health(conn: sqlite3.Connection) -> tuple[int, dict[str, object]]:
    """200 while the database answers a query; 503 when it does not."""
    try:
        conn.execute("SELECT 1").fetchone()
    except sqlite3.Error:
        return 503, {"status": "degraded", "database": "unreachable"}
    return 200, {"status": "ok", "database": "ok"}
'''
HEALTH_ROUTE = """*** Update File: inventory/app.py
@@
+from inventory.health import check_health
 from inventory.stock import Stockroom
@@
             "/items": self.items,
+            "/health": self.health,
         }
@@
         return 200, {"items": Stockroom(self.conn).levels()}
+
+    def health(self) -> Response:
+        \"\"\"Whether the service and its database answer.\"\"\"
+        return check_health(self.conn)
"""
HEALTH_TESTS = """from inventory.app import App
from inventory.db import connect


def test_health_is_ok_while_the_database_answers() -> None:
    assert App(connect()).handle("/health") == (200, {"status": "ok", "database": "ok"})


def test_health_is_degraded_when_the_database_is_gone() -> None:
    conn = connect()
    app = App(conn)
    conn.close()
    assert app.handle("/health") == (503, {"status": "degraded", "database": "unreachable"})
"""

SHIP = """*** Update File: inventory/stock.py
@@
         return dict(self._conn.execute("SELECT sku, quantity FROM items ORDER BY sku"))
+
+    def ship(self, sku: str, quantity: int) -> None:
+        \"\"\"Take `quantity` of an item out of stock; `ValueError` if there are fewer.\"\"\"
+        level = self.level(sku)
+        if quantity > level:
+            raise ValueError(f"cannot ship {quantity} of {sku}: {level} in stock")
+        sql = "UPDATE items SET quantity = quantity - ? WHERE sku = ?"
+        self._conn.execute(sql, (quantity, sku))
"""
README_LINE = "`Stockroom.ship(sku, quantity)` takes items out of stock, never below zero."
README_CONTEXT = " A small stock-keeping service: the sample project of `baton demo`.\n"
README_ADD = f"*** Update File: README.md\n@@\n{README_CONTEXT}+\n+{README_LINE}\n"
README_REVERT = f"*** Update File: README.md\n@@\n{README_CONTEXT}-\n-{README_LINE}\n"

# Built from parts so that no secret scanner takes this file for one holding a live key.
FAKE_KEY = "sk_" + "live_" + "51Hq8ZtR4mW2xK9pL3vN7bC0dE"
SUPPLIER = f'''"""The supplier's ordering API: the requests the service sends it."""

import os

ORDERS_URL = "https://supplier.example/v1/orders"
# Falls back to the team's key so that it works out of the box.
API_KEY = os.environ.get("SUPPLIER_API_KEY", "{FAKE_KEY}")


def reorder_request(sku: str, quantity: int) -> dict[str, object]:
    """The POST that reorders `quantity` of an item from the supplier."""
    return {{
        "method": "POST",
        "url": ORDERS_URL,
        "headers": {{"X-Api-Key": API_KEY}},
        "json": {{"sku": sku, "quantity": quantity}},
    }}
'''

REPORTS = '''"""Reports over the stock."""

import sqlite3

from inventory.stock import get_levels


def low_stock(conn: sqlite3.Connection, threshold: int) -> list[str]:
    """The SKUs whose stock level is below `threshold`, sorted."""
    return sorted(sku for sku, level in get_levels(conn).items() if level < threshold)
'''
REPORTS_SECOND_GUESS = """*** Update File: inventory/reports.py
@@
-from inventory.stock import get_levels
+from inventory.stock import Stockroom
@@
-    return sorted(sku for sku, level in get_levels(conn).items() if level < threshold)
+    levels = Stockroom(conn).all_levels()
+    return sorted(sku for sku, level in levels.items() if level < threshold)
"""

# By the key of the task in `baton.demo.tasks`.
SCRIPTS: dict[str, list[list[Item]]] = {
    "format-price": [
        turn(_patch(FORMAT_PRICE)),
        turn(message("Added format_price() with a docstring.")),
    ],
    "stock-tests": [
        turn(shell_call("cat inventory/stock.py")),
        turn(_patch(_add("tests/test_stock.py", STOCK_TESTS))),
        turn(message("Wrote tests/test_stock.py: receive(), level() and levels() are tested.")),
    ],
    "health": [
        turn(shell_call("cat inventory/app.py inventory/db.py")),
        turn(_patch(_add("inventory/health.py", HEALTH), HEALTH_ROUTE)),
        turn(_patch(_add("tests/test_health.py", HEALTH_TESTS))),
        turn(message("Added GET /health (inventory/health.py, routed in app.py) with tests.")),
    ],
    "ship": [
        turn(_patch(SHIP)),
        turn(_patch(README_ADD)),
        turn(message("Added Stockroom.ship() and documented it in the README.")),
        # the retry: Baton named README.md as out of scope
        turn(_patch(README_REVERT)),
        turn(message("Reverted README.md; only inventory/stock.py changes.")),
    ],
    "supplier": [
        turn(_patch(_add("inventory/supplier.py", SUPPLIER))),
        turn(message("Added reorder_request(); the key comes from SUPPLIER_API_KEY.")),
    ],
    "low-stock": [
        turn(_patch(_add("inventory/reports.py", REPORTS))),
        turn(message("Added low_stock() on top of the stock module's get_levels().")),
        # the retry: Baton named the failing check; the worker guesses again, wrongly
        turn(_patch(REPORTS_SECOND_GUESS)),
        turn(message("Switched to Stockroom.all_levels().")),
    ],
}
