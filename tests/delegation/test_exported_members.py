"""The foundations of delegation export exactly what `__all__` says, each documented."""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

import baton.delegation.gates
import baton.delegation.workers
import baton.routing
import baton.task

MODULES = [baton.task, baton.routing, baton.delegation.gates, baton.delegation.workers]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_all_is_exactly_the_public_names_and_each_is_documented(module: ModuleType) -> None:
    public = {
        name
        for name, member in vars(module).items()
        if not name.startswith("_") and not inspect.ismodule(member) and name != "annotations"
    }
    assert public == set(module.__all__)
    for name in module.__all__:
        member = getattr(module, name)
        if inspect.isfunction(member) or inspect.isclass(member):
            assert inspect.getdoc(member), f"{module.__name__}.{name} has no docstring"
