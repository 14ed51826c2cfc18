"""One indexed scenario per test session (read-only for page tests) and clients over it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from portal.app import create_app
from portal.settings import Settings
from tests.chain_backends import devnet_web3
from tests.contracts.world import World, build_world
from tests.ledger.queries.conftest import index
from tests.portal.scenario import Scenario, write


@dataclass(frozen=True)
class Indexed:
    """The scenario on a running devnet and its indexed SQLite mirror."""

    world: World
    scenario: Scenario
    database_url: str
    rpc_url: str


@pytest.fixture(scope="session")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexed]:
    """Deploy, write the scenario through the write service, index it (once per session)."""
    directory = tmp_path_factory.mktemp("portal-mirror")
    with devnet_web3() as w3:
        world = build_world(w3, "devnet")
        scenario = write(world)
        index(world, directory).dispose()
        endpoint = str(w3.provider.endpoint_uri)  # type: ignore[attr-defined]
        yield Indexed(world, scenario, f"sqlite:///{directory / 'mirror.sqlite3'}", endpoint)


@pytest.fixture(scope="session")
def session_client(indexed: Indexed) -> Iterator[TestClient]:
    """One client of the portal over the indexed mirror for the whole session."""
    settings = Settings(indexed.database_url, rpc_url=indexed.rpc_url, trace_per_minute=10_000)
    app = create_app(indexed.database_url, settings)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def client(session_client: TestClient) -> TestClient:
    """The session's client with no cookies (English unless a test says otherwise): the
    language switch's cookie from one test never leaks into the next."""
    session_client.cookies.clear()
    return session_client


@pytest.fixture
def empty_client(tmp_path: Path) -> Iterator[TestClient]:
    """A portal over a database with no mirror tables at all."""
    url = f"sqlite:///{tmp_path / 'nothing.sqlite3'}"
    with TestClient(create_app(url), raise_server_exceptions=False) as test_client:
        yield test_client
