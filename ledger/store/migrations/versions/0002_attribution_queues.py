"""attribution: flow_sources.gift_seq, and each pool's queue of gifts with money left

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


def downgrade() -> None:
    """Revert."""
    op.drop_index("ix_gifts_pool_queue", table_name="gifts")
    op.create_index("ix_gifts_pool_id", "gifts", ["pool_id"])
    op.create_index("ix_gifts_pool_seq", "gifts", ["pool_id", "seq"])
    with op.batch_alter_table("flow_sources") as batch:
        batch.drop_column("gift_seq")
