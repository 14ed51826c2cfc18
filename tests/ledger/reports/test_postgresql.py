"""A report from a PostgreSQL mirror of the same chain is byte-identical to the one from SQLite
(the journal streams through a server-side cursor). Under CI=true a missing PostgreSQL fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ledger.reports.produce import produce
from ledger.store.db import make_engine
from tests.ledger.conftest import pg_schema
from tests.ledger.queries.indexed import index_into
from tests.ledger.reports.conftest import EVERYTHING, Reported


@pytest.fixture(scope="module")
def pg_engine(reported: Reported) -> Iterator[Engine]:
    """The scenario indexed into a fresh PostgreSQL schema."""
    with pg_schema() as url:
        index_into(reported.world, url).dispose()
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_postgresql_and_sqlite_give_the_same_report(
    reported: Reported, pg_engine: Engine, tmp_path: Path, fmt: str
) -> None:
    lite = reported.report(fmt, tmp_path / f"lite.{fmt}")
    pg = produce(pg_engine, EVERYTHING, fmt, tmp_path / f"pg.{fmt}")
    assert pg.manifest["tables"] == lite.manifest["tables"]
    assert pg.files[0].read_bytes() == lite.files[0].read_bytes()
