"""The journal: one row per sequenced event of the period, every amount and quantity in it.

Columns (docs/reports.md): seq, block, time (UTC, ISO 8601), tx_hash, log_index, contract,
event, actor, id (the event's subject: gift, lot, shipment, ...), currency, amount (minor
units), item, quantity (signed for adjustments), site, to_site, args (every argument of the
event as JSON, exactly as `raw_events.args` keeps it, `seq` and `head` included).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from ledger.chain.events import event_specs
from ledger.reports.books import Books
from ledger.reports.events import ReportEvent

COLUMNS = (
    "seq",
    "block",
    "time",
    "tx_hash",
    "log_index",
    "contract",
    "event",
    "actor",
    "id",
    "currency",
    "amount",
    "item",
    "quantity",
    "site",
    "to_site",
    "args",
)

Row = tuple[Any, ...]

_QUANTITY = ("quantity", "received", "delta")


@cache
def _subject(name: str) -> str | None:
    """The event's first argument when it is an id (bytes32): what the event is about."""
    spec = next(s for s in event_specs().values() if s.name == name)
    return spec.names[0] if spec.types[0] == "bytes32" else None


@cache
def iso_time(ts: int) -> str:
    """A block time as ISO 8601 UTC."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def row(books: Books, contracts: dict[str, str], e: ReportEvent) -> Row:
    """The journal row of `e`; `books` must have folded every event before it and `e` itself."""
    a = e.args
    subject = _subject(e.name)
    quantity: Any = ""
    for key in _QUANTITY:
        if key in a:
            quantity = a[key]
            break
    site, to_site = books.sites_of(e)
    amount = a.get("amount", "")
    return (
        e.seq,
        e.block,
        iso_time(e.time),
        e.tx_hash,
        e.log_index,
        contracts.get(e.emitter, e.emitter),
        e.name,
        a.get("actor", ""),
        a[subject] if subject else "",
        (books.currency_of(e) or "") if amount != "" else "",
        amount,
        (books.item_of(e) or "") if quantity != "" else "",
        quantity,
        site or "",
        to_site or "",
        e.args_json,
    )
