"""Public models of the read layer: what the portal, the API and the reports may show.

Each is the `XPublic` of its family (the mirror tables in `ledger/store/models.py` are the
`X(table=True)`): a SQLModel without a table, so pydantic validates it and FastAPI documents
it. Ids and hashes are 0x hex; money is integer minor units beside its currency; quantities are
integer item units; times are unix seconds (UTC). A donor is never named unless they chose a
`public_name`; a gift shows its donor commitment's short id instead.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel
from sqlmodel import SQLModel

T = TypeVar("T")


class Position(SQLModel):
    """Where the mirror stood when a result was read: its last block and the ledger's (seq, head).

    An empty mirror (never indexed) is block None, seq 0, head None.
    """

    chain_id: int | None
    block: int | None
    seq: int
    head: str | None


class Page(BaseModel, Generic[T]):
    """One page of a keyset-paginated list; `next` is the cursor of the following page."""

    items: list[T]
    next: str | None
    position: Position


class Result(BaseModel, Generic[T]):
    """One result (a detail page, the overview) with the position it was read at."""

    data: T
    position: Position


class EventRef(SQLModel):
    """The ledger event behind a figure: check it on the chain with its tx hash and log index."""

    seq: int
    name: str
    block: int
    tx_hash: str
    log_index: int
    time: int


class Amount(SQLModel):
    """Money: integer minor units of one currency (CNY fen, USD cents)."""

    currency: str
    amount: int


class Quantity(SQLModel):
    """Units of one item."""

    item_id: str
    item: str
    unit: str
    quantity: int
