"""`baton.report` exports exactly what `__all__` says, each documented, and needs no IO layer."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import baton.report


def test_all_is_exactly_the_public_names_and_each_is_documented() -> None:
    public = {
        name
        for name, member in vars(baton.report).items()
        if not name.startswith("_") and not inspect.ismodule(member) and name != "annotations"
    }
    assert public == set(baton.report.__all__)
    for name in baton.report.__all__:
        member = getattr(baton.report, name)
        if inspect.isfunction(member) or inspect.isclass(member):
            assert inspect.getdoc(member), name


def test_importing_it_pulls_in_no_service_or_entry_layer() -> None:
    code = (
        "import json, sys, baton.report; "
        "layers = {m.split('.')[1] for m in sys.modules if m.startswith('baton.')}; "
        "print(json.dumps(sorted(layers)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    layers = set(json.loads(done.stdout))
    assert not layers & {"cli", "gateway", "delegation", "upstream"}, layers
