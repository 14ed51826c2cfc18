"""Migrations upgrade a mirror that holds rows, and step back down."""

from __future__ import annotations

import json
import multiprocessing

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlmodel import SQLModel

import ledger.store  # noqa: F401  (registers every table on SQLModel.metadata)
from ledger.store.db import alembic_config, make_engine, upgrade

GIFT = "0x" + "11" * 32


def _gift_row(seq: int) -> dict[str, object]:
    return {
        "gift_id": GIFT,
        "kind": "money",
        "amount": 5,
        "unallocated": 0,
        "earmark_kind": 0,
        "evidence_hash": "0x",
        "donor_commitment": "0x",
        "public_name": "",
        "block_number": 1,
        "tx_hash": "0x",
        "actor": "0x",
        "seq": seq,
    }


def test_0002_fills_flow_gift_seq_from_gifts(db_url: str) -> None:
    upgrade(db_url, "0001")
    engine = make_engine(db_url)
    with engine.begin() as conn:
        row = _gift_row(seq=42)
        conn.execute(
            text(
                f"INSERT INTO gifts ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"
            ),
            row,
        )
        conn.execute(
            text(
                "INSERT INTO flow_sources (flow_kind, flow_id, gift_id, quantity) VALUES "
                "('hand_over', 'h1', :gift, 3), ('hand_over', 'h1', '0x', 2)"
            ),
            {"gift": GIFT},
        )
    upgrade(db_url)
    with engine.connect() as conn:
        found: dict[str, int] = dict(
            conn.execute(text("SELECT gift_id, gift_seq FROM flow_sources")).all()
        )
    assert found == {GIFT: 42, "0x": 0}
    command.downgrade(alembic_config(db_url), "0001")
    with engine.connect() as conn:
        columns = conn.execute(text("SELECT * FROM flow_sources")).keys()
    assert "gift_seq" not in columns
    upgrade(db_url)  # and up again
    engine.dispose()


def test_0002_compares_text_byte_by_byte_on_postgresql(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        pytest.skip("SQLite compares text byte by byte already (BINARY)")
    query = text(
        "SELECT DISTINCT collation_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND data_type = 'character varying' "
        "AND table_name <> 'alembic_version'"
    )
    with engine.connect() as conn:
        assert conn.execute(query).scalars().all() == ["C"]
    command.downgrade(alembic_config(db_url), "0001")
    with engine.connect() as conn:
        assert conn.execute(query).scalars().all() == [None]
    engine.dispose()


ZERO = "0x" + "00" * 32


def _insert(conn: Connection, table: str, row: dict[str, object]) -> None:
    names = ", ".join(row)
    conn.execute(
        text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + k for k in row)})"), row
    )


def test_0003_keys_gifts_by_kind_and_nulls_zero_references(db_url: str) -> None:
    upgrade(db_url, "0002")
    engine = make_engine(db_url)
    in_kind = "0x" + "22" * 32
    with engine.begin() as conn:
        _insert(conn, "gifts", {**_gift_row(seq=7), "earmark": ZERO, "evidence_hash": ZERO})
        _insert(conn, "gifts", {**_gift_row(seq=9), "gift_id": in_kind, "kind": "in_kind"})
        _insert(
            conn,
            "lot_sources",
            {"lot_id": "l1", "gift_id": in_kind, "gift_seq": 9, "quantity": 4, "remaining": 4},
        )
        _insert(
            conn,
            "lot_sources",
            {"lot_id": "l1", "gift_id": "0x", "gift_seq": 0, "quantity": 1, "remaining": 1},
        )
        _insert(
            conn,
            "gift_allocations",
            {"allocation_id": "a1", "gift_id": GIFT, "gift_seq": 7, "amount": 5, "unspent": 5},
        )
        _insert(
            conn,
            "allocations",
            {
                "allocation_id": "a1",
                "pool_id": "p",
                "amount": 5,
                "spent": 0,
                "released": 0,
                "need_id": ZERO,
                "purpose": "0x" + "33" * 32,
                "actor": "0x",
                "seq": 8,
            },
        )
        image = {"lot_id": "l1", "gift_id": in_kind, "gift_seq": 9, "quantity": 4, "remaining": 5}
        _insert(
            conn,
            "journal",
            {
                "block_number": 3,
                "table_name": "lot_sources",
                "pk": json.dumps(["l1", in_kind]),
                "before": json.dumps(image),
            },
        )
        _insert(
            conn,
            "journal",
            {"block_number": 3, "table_name": "gifts", "pk": json.dumps([in_kind]), "before": None},
        )
    upgrade(db_url)
    with engine.connect() as conn:
        gifts = conn.execute(text("SELECT kind, gift_id, earmark, evidence_hash FROM gifts")).all()
        sources = conn.execute(text("SELECT gift_kind, gift_id FROM lot_sources")).all()
        links = conn.execute(text("SELECT gift_kind, gift_id FROM gift_allocations")).all()
        need = conn.execute(text("SELECT need_id, purpose FROM allocations")).one()
        journal = conn.execute(text("SELECT table_name, pk, before FROM journal ORDER BY id")).all()
    assert sorted(gifts) == [("in_kind", in_kind, None, "0x"), ("money", GIFT, None, None)]
    assert sorted(sources) == [("in_kind", in_kind), ("unattributed", "0x")]
    assert links == [("money", GIFT)]
    assert tuple(need) == (None, "0x" + "33" * 32)
    assert json.loads(journal[0][1]) == ["l1", "in_kind", in_kind]
    assert json.loads(journal[0][2])["gift_kind"] == "in_kind"
    assert json.loads(journal[1][1]) == ["in_kind", in_kind]
    with engine.begin() as conn:  # the same id in the other namespace is a row of its own now
        _insert(conn, "gifts", {**_gift_row(seq=10), "gift_id": in_kind})
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM gifts WHERE kind = 'money' AND seq = 10"))
    command.downgrade(alembic_config(db_url), "0002")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT need_id FROM allocations")).scalar_one() == ZERO
        columns = conn.execute(text("SELECT * FROM lot_sources")).keys()
        pk = conn.execute(text("SELECT pk FROM journal ORDER BY id")).scalars().all()
    assert "gift_kind" not in columns
    assert [json.loads(k) for k in pk] == [["l1", in_kind], [in_kind]]
    upgrade(db_url)  # and up again
    engine.dispose()


def test_the_migrations_build_exactly_the_models_tables_and_indexes(db_url: str) -> None:
    """Readers use the models, the indexer the migrated schema: they must be one schema."""
    upgrade(db_url)
    with make_engine(db_url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        differences = compare_metadata(context, SQLModel.metadata)
    assert [d for d in differences if "alembic_version" not in str(d)] == []


def test_0004_adds_the_read_indexes_and_drops_them_again(db_url: str) -> None:
    upgrade(db_url)
    engine = make_engine(db_url)
    names = {i["name"] for i in inspect(engine).get_indexes("gifts")}
    assert {"ix_gifts_page", "ix_gifts_pledge"} <= names
    command.downgrade(alembic_config(db_url), "0003")
    engine.dispose()
    names = {i["name"] for i in inspect(make_engine(db_url)).get_indexes("gifts")}
    assert "ix_gifts_page" not in names


def _upgrade_in_a_process(url: str) -> None:
    upgrade(url)


def test_processes_starting_on_a_new_mirror_at_once_migrate_one_after_the_other(
    db_url: str,
) -> None:
    """Two `index` (or `index` beside `portal`) on a new mirror: neither fails on the other's
    half-made schema; both end with the newest one."""
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_upgrade_in_a_process, args=(db_url,)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
    finally:
        engine.dispose()
