"""The demo's six delegations, written in the seed's delegation template.

The sizes are those of the seed's end-to-end run: small and medium tasks, then edge cases. Which
verdict each one gets is decided by the pipeline; what the scripted model does in each is in
`baton.demo.scripts`, under the task's key.
"""

from __future__ import annotations

from dataclasses import dataclass

from baton.task import Task, parse_task

__all__ = ["DEMO_TASKS", "PYTEST", "DemoTask"]

PYTEST = "python -m pytest -q -p no:cacheprovider"


@dataclass(frozen=True)
class DemoTask:
    """One delegation of the demo: its key (of its script), its size, a title and the task."""

    key: str
    size: str  # "S", "M" or "edge", as in the seed's end-to-end run
    title: str
    task: Task


def _task(key: str, size: str, title: str, text: str) -> DemoTask:
    return DemoTask(key, size, title, parse_task(text, source=f"baton demo task '{key}'"))


def _python(code: str) -> str:
    """A check command running `code` (a one-liner using double quotes only)."""
    return f"python -c '{code}'"


FORMAT_CHECK = _python(
    "from inventory.pricing import format_price as f; "
    'assert f(1234) == "$12.34" and f(5) == "$0.05"'
)
_APP = "from inventory.app import App; from inventory.db import connect"
HEALTH_OK = _python(f'{_APP}; assert App(connect()).handle("/health")[0] == 200')
HEALTH_DOWN = _python(
    f'{_APP}; c = connect(); app = App(c); c.close(); assert app.handle("/health")[0] == 503'
)
_STOCK = "from inventory.db import connect; from inventory.stock import Stockroom"
SHIP_CHECK = _python(
    f'import pytest; {_STOCK}; s = Stockroom(connect()); s.receive("A-1", "bolt", 5); '
    's.ship("A-1", 3); assert s.level("A-1") == 2; '
    'pytest.raises(ValueError, s.ship, "A-1", 9); assert s.level("A-1") == 2'
)
REORDER_CHECK = _python(
    "from inventory.supplier import reorder_request as r; "
    'assert r("A-1", 10)["json"] == {"sku": "A-1", "quantity": 10}'
)
LOW_STOCK_CHECK = _python(
    f"{_STOCK}; from inventory.reports import low_stock; c = connect(); s = Stockroom(c); "
    's.receive("A-1", "bolt", 2); s.receive("B-2", "nut", 9); assert low_stock(c, 5) == ["A-1"]'
)

FORMAT_PRICE_TASK = f"""[Task]
- Scope: inventory/pricing.py
- Goal: Add format_price(cents), which shows a price in dollars
- Kind: single-module implementation
[Acceptance Criteria]
- [ ] format_price(1234) is "$12.34" and format_price(5) is "$0.05" (check: `{FORMAT_CHECK}`)
- [ ] the function has a docstring
[Constraints]
- No new dependencies
"""

STOCK_TESTS_TASK = f"""[Task]
- Scope: tests/test_stock.py
- Goal: Write unit tests for inventory/stock.py
- Kind: test generation
[Acceptance Criteria]
- [ ] receive(), level() and levels() are each tested
- [ ] the new tests pass (check: `{PYTEST} tests/test_stock.py`)
[Constraints]
- Do not change inventory/stock.py
"""

HEALTH_TASK = f"""[Task]
- Scope: inventory/health.py, inventory/app.py, tests/test_health.py
- Goal: Add a /health endpoint that says whether the service's database answers
- Kind: single-module implementation
[Acceptance Criteria]
- [ ] GET /health answers 200 while the database answers (check: `{HEALTH_OK}`)
- [ ] GET /health answers 503 when it does not (check: `{HEALTH_DOWN}`)
- [ ] tests/test_health.py covers both and passes (check: `{PYTEST} tests/test_health.py`)
[Constraints]
- No new dependencies
- The database is queried in inventory/health.py only
"""

SHIP_TASK = f"""[Task]
- Scope: inventory/stock.py
- Goal: Add Stockroom.ship(sku, quantity), taking items out of stock, never below zero
- Kind: single-module implementation
[Acceptance Criteria]
- [ ] shipping 3 of 5 leaves 2; shipping more raises ValueError (check: `{SHIP_CHECK}`)
"""

SUPPLIER_TASK = f"""[Task]
- Scope: inventory/supplier.py
- Goal: Add reorder_request(sku, quantity), the supplier API request reordering an item
- Kind: single-module implementation
[Acceptance Criteria]
- [ ] the request's JSON body is the SKU and quantity (check: `{REORDER_CHECK}`)
- [ ] the API key is read from the SUPPLIER_API_KEY environment variable
[Constraints]
- No new dependencies
"""

LOW_STOCK_TASK = f"""[Task]
- Scope: inventory/reports.py
- Goal: Add low_stock(conn, threshold), the SKUs whose stock is below the threshold, sorted
- Kind: single-module implementation
[Acceptance Criteria]
- [ ] with A-1 at 2 and B-2 at 9, low_stock(conn, 5) is ["A-1"] (check: `{LOW_STOCK_CHECK}`)
[Constraints]
- Read stock levels only through the project's internal stock API; no SQL outside stock.py
"""

# In the seed's order: small and medium tasks first, then the edge cases.
DEMO_TASKS: tuple[DemoTask, ...] = (
    _task("format-price", "S", "add format_price()", FORMAT_PRICE_TASK),
    _task("stock-tests", "S", "unit tests for stock.py", STOCK_TESTS_TASK),
    _task("health", "M", "/health, checking the database", HEALTH_TASK),
    _task("ship", "edge", "ship(); README edited too", SHIP_TASK),
    _task("supplier", "edge", "supplier client; key in code", SUPPLIER_TASK),
    _task("low-stock", "edge", "low-stock report; internal API", LOW_STOCK_TASK),
)
