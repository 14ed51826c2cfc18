"""Fixtures for indexer tests: a mirror database per test (SQLite file or PostgreSQL schema)
and a chain with a deployed, seeded system (anvil or the devnet)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from ledger.chain.rpc import Rpc
from ledger.store.db import make_engine, upgrade
from tests.chain_backends import RPC_BACKENDS, rolled_back
from tests.contracts.world import World, build_world
from tests.ledger.indexer.rpc_proxy import RpcProxy, rpc_proxy


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


@pytest.fixture
def proxy(world: World) -> Iterator[RpcProxy]:
    """A fault-injecting proxy in front of the world's node, faithful until a test sets a plan."""
    with rpc_proxy(rpc_url(world)) as p:
        yield p


def fast_rpc(url: str, timeout: float = 5.0, retries: int = 8) -> Rpc:
    """The indexer's client with a test-sized backoff."""
    return Rpc(url, timeout=timeout, retries=retries, backoff=0.01, max_backoff=0.05)


def mirror(url: str) -> Engine:
    """Migrate and open a mirror."""
    upgrade(url)
    return make_engine(url)
