"""Shared pytest configuration: Hypothesis profiles and the CI rule for required services."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

for name, examples in (("ci", 200), ("fuzz", 2000), ("dev", 20)):
    settings.register_profile(
        name,
        max_examples=examples,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
