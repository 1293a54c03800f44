"""The audit package and its modules export exactly what `__all__` says, each documented."""

from __future__ import annotations

import inspect
from types import ModuleType

import pytest

import baton.audit
import baton.audit.checks
import baton.audit.retry
import baton.audit.sarif
import baton.audit.secrets
import baton.audit.spec
import baton.audit.verdict

SUBMODULES = [
    baton.audit.checks,
    baton.audit.retry,
    baton.audit.sarif,
    baton.audit.secrets,
    baton.audit.spec,
    baton.audit.verdict,
]
PUBLIC_API = {
    "ChangeLike", "CheckOutcome", "Finding", "GateOutcome", "Outcome", "Verdict",
    "audit_changes", "audit_checks", "audit_gates", "decide_verdict", "retry_prompt",
    "scan_added_lines", "unchecked_criteria",
}  # fmt: skip


def test_the_package_exports_the_public_api() -> None:
    assert set(baton.audit.__all__) == PUBLIC_API


def test_the_package_all_is_exactly_its_public_names() -> None:
    public = {
        name
        for name, member in vars(baton.audit).items()
        if not name.startswith("_") and not inspect.ismodule(member) and name != "annotations"
    }
    assert public == set(baton.audit.__all__)


@pytest.mark.parametrize("module", [baton.audit, *SUBMODULES], ids=lambda m: m.__name__)
def test_every_public_function_and_class_is_in_all_and_documented(module: ModuleType) -> None:
    assert inspect.getdoc(module)
    defined_here = {
        name
        for name, member in vars(module).items()
        if (inspect.isfunction(member) or inspect.isclass(member))
        and member.__module__ == module.__name__
        and not name.startswith("_")
    }
    assert defined_here <= set(module.__all__)
    for name in module.__all__:
        member = getattr(module, name)
        if inspect.isfunction(member) or inspect.isclass(member):
            assert inspect.getdoc(member), f"{module.__name__}.{name} has no docstring"
