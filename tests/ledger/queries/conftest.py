"""A seeded system on our devnet and a way to index it into a fresh SQLite mirror."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ledger.indexer.rpc import Rpc
from ledger.indexer.sync import sync
from ledger.store.db import make_engine, upgrade
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


def index(world: World, directory: Path) -> Engine:
    """Index everything on chain into a SQLite mirror under `directory`; its engine."""
    url = f"sqlite:///{directory / 'mirror.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    endpoint = world.ledger.client.w3.provider.endpoint_uri  # type: ignore[attr-defined]
    sync(engine, Rpc(str(endpoint), timeout=30), world.ledger.deployment)
    return engine
