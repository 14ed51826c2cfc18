"""The journal written by SQL from the indexer's journal columns (`journal_sql.py`) against the
journal the report derives in Python (`journal.row`): the same bytes, filters and chain text
needing escapes included; the columns the indexer stored equal the report's own derivation."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine, text

from ledger.reports.build import Period
from ledger.reports.formats.csv_format import table_path
from ledger.reports.journal_sql import journaled
from ledger.reports.produce import Produced, produce
from ledger.store.db import make_engine
from tests.ledger.reports.conftest import EVERYTHING, Reported
from tests.ledger.reports.derived import stored_and_derived


@pytest.fixture
def copy(reported: Reported, tmp_path: Path) -> Iterator[Engine]:
    """A private copy of the scenario's mirror (the tests change it)."""
    target = tmp_path / "copy.sqlite3"
    source_path = reported.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(source_path) as source, sqlite3.connect(target) as dest:
        source.backup(dest)
    engine = make_engine(f"sqlite:///{target}")
    yield engine
    engine.dispose()


def _unjournal(engine: Engine) -> None:
    """Make the mirror look indexed before migration 0005 (one event without its columns)."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE raw_events SET actor = NULL WHERE seq = 1"))


def _both(
    engine: Engine,
    tmp_path: Path,
    filters: dict[str, str] | None = None,
    period: Period = EVERYTHING,
) -> list[Produced]:
    """The CSV report made by SQL, then by Python (after `_unjournal`)."""
    with engine.connect() as conn:
        assert journaled(conn, 1, 10**9)
    fast = produce(engine, period, "csv", tmp_path / "fast" / "r.csv", filters)
    _unjournal(engine)
    with engine.connect() as conn:
        assert not journaled(conn, 1, 10**9)
    slow = produce(engine, period, "csv", tmp_path / "slow" / "r.csv", filters)
    return [fast, slow]


def test_the_stored_journal_columns_equal_the_reports_own_derivation(reported: Reported) -> None:
    stored, derived, names = stored_and_derived(reported.engine)
    assert stored == derived
    assert {  # every way a column is looked up: pool, allocation, shipment, lot, need
        "FundsAllocated",
        "AllocationSpent",
        "PurchaseRecorded",
        "ShipmentLineDispatched",
        "ShipmentLineReceived",
        "HandedOver",
        "InKindGiftRecorded",
        "LotAdjusted",
        "NeedPosted",
    } <= names


@pytest.mark.parametrize(
    "filters", [None, {"currency": "USD"}, {"site": "scenario-site"}], ids=["all", "usd", "site"]
)
def test_sql_and_python_write_the_same_journal(
    copy: Engine, tmp_path: Path, filters: dict[str, str] | None
) -> None:
    if filters is not None and "site" in filters:
        with copy.connect() as conn:
            site = conn.execute(text("SELECT MIN(to_site) FROM shipments")).scalar()
        filters = {"site": str(site)}
    fast, slow = _both(copy, tmp_path, filters)
    assert fast.files[0].read_bytes() == slow.files[0].read_bytes()
    assert fast.manifest["tables"] == slow.manifest["tables"]
    assert fast.manifest["tables"]["journal"]["rows"] > (0 if filters else 30)


@pytest.mark.parametrize(
    "period",
    [Period(date(2000, 1, 1), date(2000, 1, 2)), Period(date(2999, 1, 1), date(2999, 1, 2))],
    ids=["before", "after"],
)
def test_an_empty_period_is_the_header_alone_both_ways(
    copy: Engine, tmp_path: Path, period: Period
) -> None:
    fast, slow = _both(copy, tmp_path, period=period)
    assert fast.files[0].read_bytes() == slow.files[0].read_bytes()
    assert fast.files[0].read_bytes().count(b"\r\n") == 1
    assert fast.manifest["tables"] == slow.manifest["tables"]


@pytest.mark.parametrize("weird", ['=1,"x', "+C\r\nY", "'QQ", 'a"b', "@\tz"])
def test_chain_text_needing_escapes_is_written_alike(
    copy: Engine, tmp_path: Path, weird: str
) -> None:
    with copy.begin() as conn:
        seq, args = conn.execute(
            text("SELECT seq, args FROM raw_events WHERE name = 'PledgeRecorded' ORDER BY seq")
        ).first() or pytest.fail("the scenario records a pledge")
        changed = orjson.dumps({**orjson.loads(args), "currency": weird}).decode()
        conn.execute(
            text("UPDATE raw_events SET currency = :c, args = :a WHERE seq = :s"),
            {"c": weird, "a": changed, "s": seq},
        )
    fast, slow = _both(copy, tmp_path)
    body = fast.files[0].read_bytes()
    assert body == slow.files[0].read_bytes()
    assert ("'" + weird if weird[0] in "=+-@'\t" else weird).encode() in body.replace(b'""', b'"')


def test_each_csv_files_hash_is_its_tables_digest(reported: Reported, tmp_path: Path) -> None:
    made = reported.report("csv", tmp_path / "r.csv")
    files = {f["name"]: f["sha256"] for f in made.manifest["files"]}
    for name, table in made.manifest["tables"].items():
        path = made.files[0] if name == "journal" else table_path(made.files[0], name)
        digest = "0x" + hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest == table["sha256"] == files[path.name], name
    assert made.files[0].read_bytes().startswith("\ufeffseq,block,time".encode())
