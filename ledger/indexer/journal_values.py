"""The journal columns the indexer stores with each raw event (docs/indexer.md "Journal columns").

For every event `raw_events` keeps, beside its arguments, what an auditor's journal shows of it:
actor, subject (the event's first id), currency and amount, item and quantity, site and
destination site, each as text ("" when the event has none). Events that name a lot, shipment,
need, allocation or pool get the site, item or currency of that row, as it stood when the event
happened (rows made later in the sequence do not count). Storing them lets a journal export be
one SQL statement (`ledger/reports/journal_sql.py`) instead of a Python pass over every event's
JSON.

This is the indexer's own derivation: the reports derive the same columns from their own fold
(`ledger/reports/books.py`), and `aidledger report verify` compares the two through the chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Connection, text

from ledger.chain.events import event_specs
from ledger.indexer.handlers import ZERO_ID
from ledger.indexer.rows import Row, Unit

COLUMNS = ("actor", "subject", "currency", "amount", "item", "quantity", "site", "to_site")
Values = tuple[str, str, str, str, str, str, str, str]

_QUANTITY = ("quantity", "received", "delta")
# argument -> the table whose row it names
_REFERENCES = {
    "lotId": "lots",
    "shipmentId": "shipments",
    "needId": "needs",
    "allocationId": "allocations",
    "poolId": "pools",
}


def preload(unit: Unit, args: Sequence[dict[str, Any]]) -> None:
    """Load, one query per table, every row the batch's journal columns look up."""
    keys: dict[str, set[str]] = {table: set() for table in _REFERENCES.values()}
    for a in args:
        for arg, table in _REFERENCES.items():
            value = a.get(arg)
            if value is not None and value != ZERO_ID:
                keys[table].add(value)
    for table in ("lots", "shipments", "needs", "allocations"):
        unit[table].preload(keys[table])
    allocations = unit["allocations"]
    for allocation in keys["allocations"]:
        row = allocations.rows.get((allocation,))
        if row is not None:
            keys["pools"].add(row["pool_id"])
    unit["pools"].preload(keys["pools"])


def _made_by(unit: Unit, table: str, key: Any, seq: int) -> Row | None:
    """The row of `table` keyed `key` if an event up to `seq` made it."""
    if key is None or key == ZERO_ID:
        return None
    row = unit[table].get(key)
    if row is None or ("seq" in row and int(row["seq"]) > seq):
        return None
    return row


def _sites(unit: Unit, a: dict[str, Any], seq: int) -> tuple[str, str]:
    if "siteId" in a:
        return str(a["siteId"]).lower(), ""
    if "fromSite" in a:
        return str(a["fromSite"]).lower(), str(a["toSite"]).lower()
    if "shipmentId" in a:
        s = _made_by(unit, "shipments", a["shipmentId"], seq)
        return (str(s["from_site"]).lower(), str(s["to_site"]).lower()) if s else ("", "")
    for arg, table in (("lotId", "lots"), ("needId", "needs")):
        if arg in a:
            row = _made_by(unit, table, a[arg], seq)
            return (str(row["site_id"]).lower() if row else ""), ""
    return "", ""


def _currency(unit: Unit, a: dict[str, Any], seq: int) -> str:
    if "currency" in a:
        return str(a["currency"])
    pool_id = a.get("poolId")
    if pool_id is None and "allocationId" in a:
        allocation = _made_by(unit, "allocations", a["allocationId"], seq)
        pool_id = allocation["pool_id"] if allocation else None
    pool = _made_by(unit, "pools", pool_id, seq)
    return str(pool["currency"]) if pool else ""


def _item(unit: Unit, a: dict[str, Any], seq: int) -> str:
    if "itemId" in a:
        return str(a["itemId"]).lower()
    lot = _made_by(unit, "lots", a.get("lotId"), seq)
    return str(lot["item_id"]).lower() if lot else ""


@cache
def _subject(name: str) -> str | None:
    """The name of the event's first argument when it is an id (bytes32)."""
    spec = next(s for s in event_specs().values() if s.name == name)
    return spec.names[0] if spec.types[0] == "bytes32" else None


def values(unit: Unit, name: str, a: dict[str, Any]) -> Values:
    """The journal columns of event `name` with arguments `a`; `preload` must have run for
    its batch."""
    subject = _subject(name)
    seq = int(a["seq"])
    quantity = next((a[k] for k in _QUANTITY if k in a), None)
    amount = a.get("amount")
    site, to_site = _sites(unit, a, seq)
    return (
        str(a.get("actor", "")),
        str(a[subject]) if subject else "",
        _currency(unit, a, seq) if amount is not None else "",
        str(amount) if amount is not None else "",
        _item(unit, a, seq) if quantity is not None else "",
        str(quantity) if quantity is not None else "",
        site,
        to_site,
    )


def backfill(conn: Connection, batch: int = 2_000) -> int:
    """Give the journal columns to every event that lacks them (indexed before migration 0005,
    which calls this), in seq order, one batch of lookups per `batch` events; how many."""
    sets = ", ".join(f"{c} = :{c}" for c in COLUMNS)
    update = text(f"UPDATE raw_events SET {sets} WHERE seq = :seq")
    done, after = 0, -1
    while True:
        rows = conn.execute(
            text(
                "SELECT seq, name, args FROM raw_events WHERE actor IS NULL AND seq > :after"
                " ORDER BY seq LIMIT :n"
            ),
            {"after": after, "n": batch},
        ).all()
        if not rows:
            return done
        unit = Unit(conn, journal_from_block=2**62)  # read only: nothing is journaled
        args = [orjson.loads(r.args) for r in rows]
        preload(unit, args)
        conn.execute(
            update,
            [
                {**dict(zip(COLUMNS, values(unit, r.name, a), strict=True)), "seq": r.seq}
                for r, a in zip(rows, args, strict=True)
            ],
        )
        done += len(rows)
        after = rows[-1].seq
