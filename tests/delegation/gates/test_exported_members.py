"""`baton.delegation.gates` exports exactly what `__all__` says, each documented."""

from __future__ import annotations

import inspect

import baton.delegation.gates as gates


def test_all_is_exactly_the_public_names_and_each_is_documented() -> None:
    public = {
        name
        for name, member in vars(gates).items()
        if not name.startswith("_") and not inspect.ismodule(member) and name != "annotations"
    }
    assert public == set(gates.__all__)
    for name in gates.__all__:
        member = getattr(gates, name)
        if inspect.isfunction(member) or inspect.isclass(member):
            assert inspect.getdoc(member), f"baton.delegation.gates.{name} has no docstring"
