"""A deployed, seeded system on our devnet (a real node over JSON-RPC) for the write service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.write.service import WriteService
from tests.chain_backends import devnet_web3, rolled_back
from tests.contracts.world import World, build_world


@pytest.fixture(scope="module")
def module_world() -> Iterator[World]:
    """Deploy and seed once per module."""
    with devnet_web3() as w3:
        yield build_world(w3, "devnet")


@pytest.fixture
def world(module_world: World) -> Iterator[World]:
    """The seeded world, rolled back after each test."""
    with rolled_back(module_world.ledger.client.w3):
        yield module_world


@pytest.fixture
def service(world: World) -> WriteService:
    """A fresh write service (fresh nonce book) over the world's deployment."""
    return WriteService(world.ledger)
