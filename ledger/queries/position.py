"""The mirror position a result was read at: block, seq and ledger head of the checkpoint.

Convention for every query in `ledger.queries`: the caller reads the position once per request
(`read_position`) and passes it as `at=`; a query given no position reads it itself (one query
more). Read the position and the rows in one session, so they come from one transaction: on
SQLite a read transaction sees one snapshot; on PostgreSQL open the session with
`REPEATABLE READ` for the same guarantee (the indexer writes whole batches in one
transaction, so under READ COMMITTED rows can be at most one batch newer than the position).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from ledger.queries.models import Position
from ledger.store.models import IndexerState

EMPTY = Position(chain_id=None, block=None, seq=0, head=None)


CHECKPOINT = select(
    col(IndexerState.chain_id),
    col(IndexerState.last_block),
    col(IndexerState.seq),
    col(IndexerState.head),
).where(col(IndexerState.id) == 1)


def read_position(session: Session) -> Position:
    """The mirror's checkpoint; `EMPTY` before the first `aidledger index` (one plain statement
    on the session's connection, no ORM object: every API request reads it)."""
    state = session.connection().execute(CHECKPOINT).first()
    if state is None:
        return EMPTY
    chain_id, block, seq, head = state
    return Position(chain_id=chain_id, block=block, seq=seq, head=head)


def position_or_read(session: Session, at: Position | None) -> Position:
    """`at` when the caller read it already, else read it now."""
    return at if at is not None else read_position(session)
