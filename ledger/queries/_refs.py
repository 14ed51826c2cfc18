"""Private helpers shared by the queries: the event that made a row, names, short ids."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlmodel import col

from ledger.chain.ids import region_earmark
from ledger.errors import AidLedgerValueError
from ledger.queries.models import EventRef
from ledger.queries.pages import BadFilterError
from ledger.store.models import Block, RawEvent

Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])

# Columns of the creating event, appended to a query joined with `with_event`.
EVENT_COLUMNS = (
    col(RawEvent.seq),
    col(RawEvent.name),
    col(RawEvent.block_number),
    col(RawEvent.tx_hash),
    col(RawEvent.log_index),
    col(Block.timestamp),
)


def with_event(query: Q, seq_column: Any) -> Q:
    """`query` joined to the raw event whose seq is `seq_column`, and its block."""
    joined = query.join(RawEvent, col(RawEvent.seq) == seq_column)
    return joined.join(Block, col(Block.number) == col(RawEvent.block_number))


def event_ref(values: Any) -> EventRef:
    """An EventRef from the six EVENT_COLUMNS values at the end of a row (or the row itself)."""
    seq, name, block, tx_hash, log_index, time = tuple(values)[-6:]
    return EventRef(
        seq=seq, name=name, block=block, tx_hash=tx_hash, log_index=log_index, time=time
    )


def short_id(commitment: str | None) -> str | None:
    """A donor commitment's short id: its first 8 hex digits (None when there is none)."""
    return None if commitment is None else commitment[2:10]


def earmark_of_region(region: str) -> str:
    """The 0x earmark of a region code; BadFilterError when it cannot be a region."""
    try:
        return "0x" + region_earmark(region).hex()
    except AidLedgerValueError as exc:
        raise BadFilterError(str(exc)) from None
