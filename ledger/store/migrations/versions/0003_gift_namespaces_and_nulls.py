"""keys follow the chain's namespaces: a gift is (kind, gift_id), attribution rows name gift_kind;
a zero bytes32 that names nothing is NULL

Money gifts (FundLedger) and in-kind gifts (SupplyLedger) are two id namespaces on chain: keyed
by `gift_id` alone, an in-kind gift reusing a money gift's id stopped the indexer (or, in one
batch, replaced the money gift). Absent references were all-zero hex in some columns and NULL in
others; they are NULL everywhere now. The journal of unfinalised blocks is rewritten to match.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 03:40:00
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ZERO = "0x" + "00" * 32
_TEXT = sa.String().with_variant(sa.String(collation="C"), "postgresql")
_BIG = sa.BigInteger()

# table -> columns that hold a zero bytes32 when they name nothing
NULLABLE: dict[str, list[str]] = {
    "gifts": ["earmark", "evidence_hash", "donor_commitment", "pledge_id"],
    "pledges": ["earmark", "donor_commitment"],
    "pools": ["earmark"],
    "allocations": ["need_id", "purpose"],
    "purchases": ["invoice_hash"],
    "lots": ["batch", "parent_lot_id"],
    "shipment_lines": ["receipt_lot_id"],
    "attestations": ["report_hash"],
}
# nullable since 0001: their zeros become NULL, but a downgrade leaves them nullable
_NULLABLE_BEFORE = {
    ("gifts", "earmark"),
    ("gifts", "pledge_id"),
    ("lots", "parent_lot_id"),
    ("shipment_lines", "receipt_lot_id"),
}
_GIFT_COLUMNS: list[tuple[str, Any, bool]] = [  # (name, type, nullable)
    ("kind", _TEXT, False),
    ("gift_id", _TEXT, False),
    ("pool_id", _TEXT, True),
    ("currency", _TEXT, True),
    ("amount", _BIG, False),
    ("unallocated", _BIG, False),
    ("earmark_kind", sa.Integer(), False),
    ("earmark", _TEXT, True),
    ("evidence_hash", _TEXT, True),
    ("donor_commitment", _TEXT, True),
    ("pledge_id", _TEXT, True),
    ("public_name", _TEXT, False),
    ("lot_id", _TEXT, True),
    ("block_number", _BIG, False),
    ("tx_hash", _TEXT, False),
    ("actor", _TEXT, False),
    ("seq", _BIG, False),
]
# attribution table -> its columns after this revision (gift_kind beside gift_id), and its key
ATTRIBUTION: dict[str, tuple[list[tuple[str, Any]], list[str]]] = {
    "gift_allocations": (
        [
            ("allocation_id", _TEXT),
            ("gift_kind", _TEXT),
            ("gift_id", _TEXT),
            ("gift_seq", _BIG),
            ("amount", _BIG),
            ("unspent", _BIG),
        ],
        ["allocation_id", "gift_kind", "gift_id"],
    ),
    "gift_purchases": (
        [
            ("purchase_id", _TEXT),
            ("gift_kind", _TEXT),
            ("gift_id", _TEXT),
            ("gift_seq", _BIG),
            ("amount", _BIG),
        ],
        ["purchase_id", "gift_kind", "gift_id"],
    ),
    "lot_sources": (
        [
            ("lot_id", _TEXT),
            ("gift_kind", _TEXT),
            ("gift_id", _TEXT),
            ("gift_seq", _BIG),
            ("quantity", _BIG),
            ("remaining", _BIG),
        ],
        ["lot_id", "gift_kind", "gift_id"],
    ),
    "flow_sources": (
        [
            ("flow_kind", _TEXT),
            ("flow_id", _TEXT),
            ("gift_kind", _TEXT),
            ("gift_id", _TEXT),
            ("gift_seq", _BIG),
            ("quantity", _BIG),
        ],
        ["flow_kind", "flow_id", "gift_kind", "gift_id"],
    ),
}
# the gift kind of an attribution row, from what revision 0002 knew (gift ids were unique then)
_KIND_OF = (
    "CASE WHEN gift_id = '0x' THEN 'unattributed' ELSE COALESCE("
    "(SELECT kind FROM gifts WHERE gifts.gift_id = {table}.gift_id), 'money') END"
)


def upgrade() -> None:
    """Apply: null the zero references, rekey the gifts and the attribution tables, then the
    journal."""
    for table, columns in NULLABLE.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(column, existing_type=_TEXT, nullable=True)
        for column in columns:
            op.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} = '{ZERO}'")
    kinds = _gift_kinds()
    for table, (attribution, key) in ATTRIBUTION.items():
        values = ", ".join(
            _KIND_OF.format(table=table) if name == "gift_kind" else name for name, _ in attribution
        )
        _rebuild(
            table, [(n, t, False) for n, t in attribution], key, f"SELECT {values} FROM {table}"
        )
    _rebuild_gifts(["kind", "gift_id"])
    _rewrite_journal(kinds, upgrading=True)


def downgrade() -> None:
    """Revert (refused by the database if two gifts share an id across kinds)."""
    kinds = _gift_kinds()
    _rebuild_gifts(["gift_id"])
    for table, (attribution, key) in ATTRIBUTION.items():
        old = [(n, t, False) for n, t in attribution if n != "gift_kind"]
        names = ", ".join(n for n, _, _ in old)
        _rebuild(table, old, [k for k in key if k != "gift_kind"], f"SELECT {names} FROM {table}")
    for table, columns in NULLABLE.items():
        for column in columns:
            if (table, column) in _NULLABLE_BEFORE:
                continue
            op.execute(f"UPDATE {table} SET {column} = '{ZERO}' WHERE {column} IS NULL")
            with op.batch_alter_table(table) as batch:
                batch.alter_column(column, existing_type=_TEXT, nullable=False)
    _rewrite_journal(kinds, upgrading=False)


def _rebuild(table: str, columns: list[tuple[str, Any, bool]], key: list[str], select: str) -> None:
    """Replace `table` by one with `columns` and primary key `key`, filled by `select`."""
    new = f"{table}_0003"
    op.create_table(
        new,
        *(sa.Column(name, type_, nullable=nullable) for name, type_, nullable in columns),
        sa.PrimaryKeyConstraint(*key, name=f"pk_{table}_{len(key)}"),
    )
    names = ", ".join(name for name, _, _ in columns)
    op.execute(f"INSERT INTO {new} ({names}) {select}")
    op.drop_table(table)
    op.rename_table(new, table)


def _rebuild_gifts(key: list[str]) -> None:
    names = ", ".join(name for name, _, _ in _GIFT_COLUMNS)
    _rebuild("gifts", _GIFT_COLUMNS, key, f"SELECT {names} FROM gifts")
    op.create_index("ix_gifts_donor_commitment", "gifts", ["donor_commitment"])
    op.create_index(
        "ix_gifts_pool_queue",
        "gifts",
        ["pool_id", "seq"],
        sqlite_where=sa.text("unallocated > 0"),
        postgresql_where=sa.text("unallocated > 0"),
    )


def _gift_kinds() -> dict[str, str]:
    """gift id -> kind, for the journal's rows (ids are unique while the key is gift_id)."""
    found = op.get_bind().execute(sa.text("SELECT gift_id, kind FROM gifts")).all()
    return {str(gift_id): str(kind) for gift_id, kind in found}


def _rewrite_journal(kinds: dict[str, str], *, upgrading: bool) -> None:
    """Give journaled keys and row images the shape of their table after this step."""
    bind = op.get_bind()
    tables = ["gifts", *ATTRIBUTION, *NULLABLE]
    rows = bind.execute(
        sa.text(
            "SELECT id, table_name, pk, before FROM journal WHERE table_name IN :names"
        ).bindparams(sa.bindparam("names", expanding=True)),
        {"names": sorted(set(tables))},
    ).all()
    for id_, table, pk_json, before_json in rows:
        pk = json.loads(pk_json)
        before = json.loads(before_json) if before_json is not None else None
        if table == "gifts":
            pk = _gift_key(pk, before, kinds, upgrading)
        elif table in ATTRIBUTION:
            pk, before = _attribution_key(table, pk, before, kinds, upgrading)
        if before is not None:
            for column in NULLABLE.get(table, []):
                if upgrading and before.get(column) == ZERO:
                    before[column] = None
                elif (
                    not upgrading
                    and (table, column) not in _NULLABLE_BEFORE
                    and column in before
                    and before[column] is None
                ):
                    before[column] = ZERO
        bind.execute(
            sa.text("UPDATE journal SET pk = :pk, before = :before WHERE id = :id"),
            {
                "id": id_,
                "pk": json.dumps(pk),
                "before": json.dumps(before) if before is not None else None,
            },
        )


def _gift_key(
    pk: list[Any], before: dict[str, Any] | None, kinds: dict[str, str], upgrading: bool
) -> list[Any]:
    if not upgrading:
        return [pk[-1]]
    gift_id = pk[0]
    kind = before["kind"] if before is not None else kinds.get(gift_id, "money")
    return [kind, gift_id]


def _attribution_key(
    table: str,
    pk: list[Any],
    before: dict[str, Any] | None,
    kinds: dict[str, str],
    upgrading: bool,
) -> tuple[list[Any], dict[str, Any] | None]:
    position = ATTRIBUTION[table][1].index("gift_kind")
    if not upgrading:
        if before is not None:
            before.pop("gift_kind", None)
        return pk[:position] + pk[position + 1 :], before
    gift_id = pk[position]
    kind = "unattributed" if gift_id == "0x" else kinds.get(gift_id, "money")
    if before is not None:
        before["gift_kind"] = kind
    return [*pk[:position], kind, *pk[position:]], before
