"""Migrations upgrade a mirror that holds rows, and step back down."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

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
