"""Hypothesis profiles: CI is derandomised and unhurried; `BATON_FUZZ=long` searches far longer."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("long", max_examples=20_000, deadline=None)
settings.load_profile("long" if os.environ.get("BATON_FUZZ") == "long" else "ci")
