"""The journal columns the indexer stores with each raw event: a mirror indexed before
migration 0005 (its columns NULL) gets exactly what indexing gives, from `backfill`, which
`aidledger index` and `verify` run first. (That the columns equal the reports' own derivation
is tests/ledger/reports/test_journal_sql.py.)"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from ledger.indexer.journal_values import COLUMNS, backfill
from ledger.store.db import make_engine
from tests.scenario_mirror import Indexed

_SELECT = text(f"SELECT seq, {', '.join(COLUMNS)} FROM raw_events ORDER BY seq")


def test_backfill_gives_old_events_what_indexing_gave_them(
    indexed: Indexed, tmp_path: Path
) -> None:
    target = tmp_path / "old.sqlite3"
    with (
        sqlite3.connect(indexed.database_url.removeprefix("sqlite:///")) as source,
        sqlite3.connect(target) as dest,
    ):
        source.backup(dest)
    engine = make_engine(f"sqlite:///{target}")
    with engine.begin() as conn:
        indexed_rows = conn.execute(_SELECT).all()
        sets = ", ".join(f"{c} = NULL" for c in COLUMNS)
        conn.execute(text(f"UPDATE raw_events SET {sets}"))
    with engine.begin() as conn:
        assert backfill(conn, batch=7) == len(indexed_rows) > 30  # batches cut mid-scenario
    with engine.begin() as conn:
        assert conn.execute(_SELECT).all() == indexed_rows
        assert backfill(conn) == 0
    engine.dispose()
