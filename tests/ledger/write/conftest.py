"""The write service over the seeded devnet world of tests/ledger/conftest.py."""

from __future__ import annotations

import pytest

from ledger.write.service import WriteService
from tests.contracts.world import World


@pytest.fixture
def service(world: World) -> WriteService:
    """A fresh write service (fresh nonce book) over the world's deployment."""
    return WriteService(world.ledger)
