"""Shared pytest configuration: Hypothesis profiles, and the indexed scenario that the portal's
and the reports' tests read."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.scenario_mirror import Indexed, indexed_scenario

for name, examples in (("ci", 200), ("fuzz", 2000), ("dev", 20)):
    settings.register_profile(
        name,
        max_examples=examples,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexed]:
    """The portal's scenario on a devnet and its SQLite mirror, once per session (read-only:
    the portal's pages and the reports both read it)."""
    with indexed_scenario(tmp_path_factory.mktemp("scenario-mirror")) as ready:
        yield ready
