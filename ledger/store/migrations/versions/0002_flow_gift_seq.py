"""flow_sources.gift_seq: the order in which a flow's parts were taken

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


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("flow_sources") as batch:
        batch.drop_column("gift_seq")
