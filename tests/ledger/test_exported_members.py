"""The ledger exports exactly what `__all__` says, documented; SQLite meets the whole contract."""

from __future__ import annotations

import inspect

import baton.ledger
from baton.ledger import Ledger, SqliteLedger


def test_all_is_exactly_the_public_names_and_each_is_documented() -> None:
    public = {
        name
        for name, member in vars(baton.ledger).items()
        if not name.startswith("_") and not inspect.ismodule(member) and name != "annotations"
    }
    assert public - {"Path", "BatonConfig", "project_root"} == set(baton.ledger.__all__)
    for name in baton.ledger.__all__:
        member = getattr(baton.ledger, name)
        if inspect.isfunction(member) or inspect.isclass(member):
            assert inspect.getdoc(member), name


def test_sqlite_has_every_method_of_the_contract_with_the_same_signature() -> None:
    contract = {n for n, m in vars(Ledger).items() if not n.startswith("_") and callable(m)}
    assert {
        "put_artifact",
        "get_artifact",
        "artifact_names",
        "mark_applied",
        "find_run",
    } <= contract
    for name in contract:
        method = getattr(SqliteLedger, name)
        assert inspect.signature(method) == inspect.signature(getattr(Ledger, name)), name
        assert inspect.getdoc(method), name
