"""The same portal over a PostgreSQL mirror of the same chain shows the same pages and JSON
(read in one REPEATABLE READ snapshot per request). Under CI=true a missing PostgreSQL fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from portal.app import create_app
from tests.ledger.conftest import pg_schema
from tests.ledger.queries.indexed import index_into
from tests.portal.conftest import Indexed
from tests.portal.html import soup


@pytest.fixture(scope="module")
def pg_client(indexed: Indexed) -> Iterator[TestClient]:
    """A portal over a fresh PostgreSQL schema holding the scenario's mirror."""
    with pg_schema() as url:
        index_into(indexed.world, url).dispose()
        app = create_app(url)
        assert app.state.portal.engine.get_execution_options()["isolation_level"] == (
            "REPEATABLE READ"
        )
        with TestClient(app) as client:
            yield client
        app.state.portal.engine.dispose()


@pytest.mark.parametrize(
    "path", ["/", "/gifts", "/sites", "/needs", "/shipments", "/pledges", "/flows"]
)
def test_pages_equal_on_sqlite_and_postgresql(
    client: TestClient, pg_client: TestClient, path: str
) -> None:
    def main(c: TestClient) -> str:
        page = soup(c.get(path))
        assert page.main is not None
        return str(page.main)

    assert main(pg_client) == main(client)


def test_api_equal_on_sqlite_and_postgresql(client: TestClient, pg_client: TestClient) -> None:
    for path in ("/api/v1/overview", "/api/v1/gifts?limit=2", "/api/v1/flows"):
        assert pg_client.get(path).json() == client.get(path).json()
