"""Fixtures for indexer tests: a mirror database per test (SQLite file or PostgreSQL schema)
and a chain with a deployed, seeded system (anvil or the devnet)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from ledger.indexer.rpc import Rpc
from ledger.store.db import make_engine, upgrade
from tests.chain_backends import RPC_BACKENDS, rolled_back
from tests.contracts.world import World, build_world

PG_ADMIN_URL = os.environ.get(
    "AIDLEDGER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means: no usable server
        return f"PostgreSQL not reachable at {PG_ADMIN_URL} ({exc.__class__.__name__})"
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty mirror URL: a SQLite file, or a new schema in the `test` database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mirror.sqlite3'}"
        return
    reason = _pg_available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    schema = f"aidl_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module", params=sorted(RPC_BACKENDS))
def chain_world(request: pytest.FixtureRequest) -> Iterator[World]:
    """A node (anvil or devnet) with the system deployed and seeded, shared by a module."""
    with RPC_BACKENDS[request.param]() as w3:
        yield build_world(w3, request.param)


@pytest.fixture
def world(chain_world: World) -> Iterator[World]:
    """The seeded world, rolled back after each test."""
    with rolled_back(chain_world.ledger.client.w3):
        yield chain_world


def rpc_url(world: World) -> str:
    """The node's HTTP URL."""
    return str(world.ledger.client.w3.provider.endpoint_uri)  # type: ignore[attr-defined]


@pytest.fixture
def rpc(world: World) -> Rpc:
    """The indexer's RPC client for the world's node."""
    return Rpc(rpc_url(world), timeout=30)


def mirror(url: str) -> Engine:
    """Migrate and open a mirror."""
    upgrade(url)
    return make_engine(url)
