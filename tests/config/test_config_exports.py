"""`baton.config` exports exactly what `__all__` says, and each public function is documented."""

from __future__ import annotations

import inspect

import baton.config


def test_every_name_in_all_exists_and_is_documented() -> None:
    for name in baton.config.__all__:
        member = getattr(baton.config, name)
        if inspect.isfunction(member) or inspect.isclass(member):
            assert inspect.getdoc(member), f"{name} has no docstring"


def test_nothing_public_is_left_out_of_all() -> None:
    public = {
        name
        for name, member in vars(baton.config).items()
        if not name.startswith("_") and not inspect.ismodule(member) and name != "annotations"
    }
    assert public == set(baton.config.__all__)
