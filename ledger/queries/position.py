"""The mirror position a result was read at: block, seq and ledger head of the checkpoint.

Convention for every query in `ledger.queries`: the caller reads the position once per request
(`read_position`) and passes it as `at=`; a query given no position reads it itself (one query
more). Read the position and the rows in one session, so they come from one transaction: on
SQLite a read transaction sees one snapshot; on PostgreSQL open the session with
`REPEATABLE READ` for the same guarantee (the indexer writes whole batches in one
transaction, so under READ COMMITTED rows can be at most one batch newer than the position).
"""

from __future__ import annotations

from sqlmodel import Session

from ledger.queries.models import Position
from ledger.store.models import IndexerState

EMPTY = Position(chain_id=None, block=None, seq=0, head=None)


def read_position(session: Session) -> Position:
    """The mirror's checkpoint; `EMPTY` before the first `aidledger index`."""
    state = session.get(IndexerState, 1)
    if state is None:
        return EMPTY
    return Position(chain_id=state.chain_id, block=state.last_block, seq=state.seq, head=state.head)


def position_or_read(session: Session, at: Position | None) -> Position:
    """`at` when the caller read it already, else read it now."""
    return at if at is not None else read_position(session)
