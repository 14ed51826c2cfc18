"""A report from a PostgreSQL mirror of the same chain is byte-identical to the one from SQLite
(the journal streams through a server-side cursor). Under CI=true a missing PostgreSQL fails."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from ledger.reports.produce import produce
from ledger.store.db import make_engine
from tests.ledger.conftest import PG_ADMIN_URL, _pg_available
from tests.ledger.queries.indexed import index_into
from tests.ledger.reports.conftest import EVERYTHING, Reported


@pytest.fixture(scope="module")
def pg_engine(reported: Reported) -> Iterator[Engine]:
    """The scenario indexed into a fresh PostgreSQL schema."""
    reason = _pg_available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    schema = f"aidl_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    try:
        index_into(reported.world, url).dispose()
        engine = make_engine(url)
        yield engine
        engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_postgresql_and_sqlite_give_the_same_report(
    reported: Reported, pg_engine: Engine, tmp_path: Path, fmt: str
) -> None:
    lite = reported.report(fmt, tmp_path / f"lite.{fmt}")
    pg = produce(pg_engine, EVERYTHING, fmt, tmp_path / f"pg.{fmt}")
    assert pg.manifest["tables"] == lite.manifest["tables"]
    assert pg.files[0].read_bytes() == lite.files[0].read_bytes()
