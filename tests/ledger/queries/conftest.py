"""A way to index the seeded devnet world (tests/ledger/conftest.py) into a fresh SQLite mirror."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from ledger.chain.rpc import Rpc
from ledger.indexer.sync import sync
from ledger.store.db import make_engine, upgrade
from tests.contracts.world import World


def index(world: World, directory: Path) -> Engine:
    """Index everything on chain into a SQLite mirror under `directory`; its engine."""
    url = f"sqlite:///{directory / 'mirror.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    endpoint = world.ledger.client.w3.provider.endpoint_uri  # type: ignore[attr-defined]
    sync(engine, Rpc(str(endpoint), timeout=30), world.ledger.deployment)
    return engine
