"""Clients of the portal over the session's indexed scenario (`indexed`, tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from portal.app import create_app
from portal.settings import Settings
from tests.scenario_mirror import Indexed

__all__ = ["Indexed"]


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
