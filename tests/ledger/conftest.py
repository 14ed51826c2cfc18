"""Fixtures shared by the ledger tests: a mirror database per test (SQLite file or PostgreSQL
schema; under CI=true a missing PostgreSQL fails instead of skipping), and a seeded system on our
devnet, deployed once per module and rolled back after each test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.chain_backends import devnet_web3, rolled_back
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


@contextmanager
def pg_schema() -> Iterator[str]:
    """The URL of a new, empty schema in the `test` database, dropped afterwards. Without a
    reachable PostgreSQL the test is skipped, or fails under CI=true."""
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


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty mirror URL: a SQLite file, or a new schema in the `test` database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mirror.sqlite3'}"
        return
    with pg_schema() as url:
        yield url


@pytest.fixture(scope="module")
def module_world() -> Iterator[World]:
    """Deploy and seed once per module, on our devnet (a real node over JSON-RPC)."""
    with devnet_web3() as w3:
        yield build_world(w3, "devnet")


@pytest.fixture
def world(module_world: World) -> Iterator[World]:
    """The seeded world, rolled back after each test (evm_snapshot / evm_revert)."""
    with rolled_back(module_world.ledger.client.w3):
        yield module_world
