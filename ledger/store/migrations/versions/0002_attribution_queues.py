"""attribution speed: flow_sources.gift_seq, each pool's queue of gifts with money left, and
text compared byte by byte on PostgreSQL

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 20:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply: add the column and fill it from the gifts (0 for unattributed units)."""
    op.add_column(
        "flow_sources",
        sa.Column("gift_seq", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.execute(
        "UPDATE flow_sources SET gift_seq = COALESCE("
        "(SELECT seq FROM gifts WHERE gifts.gift_id = flow_sources.gift_id), 0)"
    )
    # Allocation reads a pool's oldest gifts with money left: index only those.
    op.drop_index("ix_gifts_pool_seq", table_name="gifts")
    op.drop_index("ix_gifts_pool_id", table_name="gifts")
    op.create_index(
        "ix_gifts_pool_queue",
        "gifts",
        ["pool_id", "seq"],
        sqlite_where=sa.text("unallocated > 0"),
        postgresql_where=sa.text("unallocated > 0"),
    )
    _text_collation('"C"')


def downgrade() -> None:
    """Revert."""
    _text_collation("pg_catalog.default")
    op.drop_index("ix_gifts_pool_queue", table_name="gifts")
    op.create_index("ix_gifts_pool_id", "gifts", ["pool_id"])
    op.create_index("ix_gifts_pool_seq", "gifts", ["pool_id", "seq"])
    with op.batch_alter_table("flow_sources") as batch:
        batch.drop_column("gift_seq")


def _text_collation(collation: str) -> None:
    """PostgreSQL: give every text column of the mirror `collation` (ids and hashes are hex, and
    a locale's collation slows every index insert on them)."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    columns = bind.execute(
        sa.text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = 'character varying' "
            "AND table_name <> 'alembic_version'"
        )
    ).all()
    for table, column in columns:
        op.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE VARCHAR COLLATE {collation}'
        )
