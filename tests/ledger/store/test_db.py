"""Mirror URLs: every malformed, unsupported or missing target is one clear error; a PostgreSQL
schema is chosen with `options=-csearch_path=...` (against the real server at 127.0.0.1:5432)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from ledger.errors import AidLedgerConfigError
from ledger.store.db import check_database_url, make_engine, upgrade
from tests.ledger.conftest import PG_ADMIN_URL, _pg_available


@pytest.fixture
def pg() -> str:
    """The admin URL of the test database; skips (fails under CI) without a server."""
    reason = _pg_available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return PG_ADMIN_URL


@pytest.fixture
def scratch_schema(pg: str) -> Iterator[str]:
    """A new, empty schema in the test database, dropped afterwards."""
    schema = f"aidl_db_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_postgresql_schema_by_search_path_option(pg: str, scratch_schema: str) -> None:
    url = f"{pg}?options=-csearch_path%3D{scratch_schema}"
    upgrade(url)
    engine = create_engine(pg)
    try:
        tables = inspect(engine).get_table_names(schema=scratch_schema)
        assert {"gifts", "indexer_state", "alembic_version"} <= set(tables)
        assert "gifts" not in inspect(engine).get_table_names(schema="public")
    finally:
        engine.dispose()


def test_postgresql_schema_that_does_not_exist(pg: str) -> None:
    url = f"{pg}?options=-csearch_path%3Dno_such_schema_{uuid.uuid4().hex[:6]}"
    with pytest.raises(
        AidLedgerConfigError,
        match=r"no schema of the search path .*\(CREATE SCHEMA no_such_schema_",
    ):
        upgrade(url)


def test_postgresql_database_that_does_not_exist(pg: str) -> None:
    url = pg.rsplit("/", 1)[0] + "/no_such_database"
    with pytest.raises(
        AidLedgerConfigError, match=r'cannot open the mirror .*database "no_such_database" does'
    ):
        upgrade(url)


@pytest.mark.parametrize("url", ["postgresql://postgres@127.0.0.1:5432", "postgres://h/"])
def test_postgresql_url_without_database_is_refused(url: str) -> None:
    with pytest.raises(AidLedgerConfigError, match="names no database"):
        check_database_url(url)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("notaurl", "is not usable"),
        ("", "is not usable"),
        ("mysql://u@h/db", "unsupported kind"),
        ("sqlite://", "names no file"),
        ("sqlite:///:memory:", "names no file"),
    ],
)
def test_malformed_or_unsupported_url(url: str, words: str) -> None:
    with pytest.raises(AidLedgerConfigError, match=words):
        make_engine(url)


def test_sqlite_directory_under_the_data_dir_is_created(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    url = f"sqlite:///{data_dir / 'deep' / 'mirror.sqlite3'}"
    upgrade(url, data_dir=data_dir)
    assert (data_dir / "deep" / "mirror.sqlite3").is_file()


def test_sqlite_directory_elsewhere_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere' / 'mirror.sqlite3'}"
    with pytest.raises(AidLedgerConfigError, match="elsewhere does not exist"):
        upgrade(url, data_dir=tmp_path / "data")
    assert not (tmp_path / "elsewhere").exists()
