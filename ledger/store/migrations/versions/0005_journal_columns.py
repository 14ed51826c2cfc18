"""raw_events keeps each event's journal columns: actor, subject, currency, amount, item,
quantity, site, to_site (docs/indexer.md "Journal columns")

With them a report's journal is one SQL statement instead of a Python pass over every event's
JSON (docs/reports.md "Scale"). Events already in the mirror keep NULL there, found by the
partial index below, until the indexer next runs (`aidledger index` and `verify` fill them
first: `ledger.indexer.journal_values.backfill`); reports read such events the slower way.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = ("actor", "subject", "currency", "amount", "item", "quantity", "site", "to_site")
_TEXT = sa.String().with_variant(sa.String(collation="C"), "postgresql")
_UNJOURNALED = sa.text("actor IS NULL")


def upgrade() -> None:
    """Apply."""
    with op.batch_alter_table("raw_events") as batch:
        for column in COLUMNS:
            batch.add_column(sa.Column(column, _TEXT, nullable=True))
    op.create_index(
        "ix_raw_events_unjournaled",
        "raw_events",
        ["seq"],
        sqlite_where=_UNJOURNALED,
        postgresql_where=_UNJOURNALED,
    )


def downgrade() -> None:
    """Revert."""
    op.drop_index("ix_raw_events_unjournaled", "raw_events")
    with op.batch_alter_table("raw_events") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)
