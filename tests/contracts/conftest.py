"""Fixtures for the contract suite: a deployed, seeded system per backend, reset per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.chain_backends import BACKENDS, rolled_back
from tests.contracts.world import World, build_world


@pytest.fixture(scope="session", params=sorted(BACKENDS))
def session_world(request: pytest.FixtureRequest) -> Iterator[World]:
    """Deploy and seed once per backend per test session."""
    with BACKENDS[request.param]() as w3:
        yield build_world(w3, request.param)


@pytest.fixture
def world(session_world: World) -> Iterator[World]:
    """The seeded world, rolled back after the test with evm_snapshot/evm_revert."""
    with rolled_back(session_world.ledger.client.w3):
        yield session_world
