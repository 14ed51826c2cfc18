"""An independent check of the mirror: every sequenced event on chain is accounted for by the
rows it must produce, and totals per event kind equal sums taken straight from the logs.

It reads the chain with `eth_getLogs` and `ledger.chain.events` alone, and the mirror with plain
SELECTs; it shares no code with the indexer's handlers, so a handler bug (a row replaced, an
amount lost) shows here even where a rebuild with the indexer's own code repeats it. Only what
the chain fixes is checked: which gift paid for what is the attribution rule's business
(docs/attribution.md), of which only the sums that any rule must keep are checked here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import SQLModel

from ledger.chain.deployment import Deployment
from ledger.chain.rpc import Rpc
from ledger.indexer.accounting_rules import Book, record
from ledger.indexer.difference import Difference
from ledger.indexer.logged import Logged, chain_events, norm

T = SQLModel.metadata.tables

# The key of each checked table, as (mirror) column names.
KEYS: dict[str, tuple[str, ...]] = {
    "raw_events": ("tx_hash", "log_index"),
    "organisations": ("org_id",),
    "sites": ("site_id",),
    "items": ("item_id",),
    "role_members": ("role", "account"),
    "attestations": ("attestation_id",),
    "gifts": ("kind", "gift_id"),
    "pools": ("pool_id",),
    "pledges": ("pledge_id",),
    "allocations": ("allocation_id",),
    "purchases": ("purchase_id",),
    "lots": ("lot_id",),
    "needs": ("need_id",),
    "shipments": ("shipment_id",),
    "shipment_lines": ("shipment_id", "line_index"),
    "hand_overs": ("hand_over_id",),
    "adjustments": ("adjustment_id",),
}


Rows = dict[str, list[dict[str, Any]]]


def _mirror_rows(engine: Engine) -> Rows:
    names = [*KEYS, "gift_allocations", "gift_purchases", "flow_sources", "lot_sources"]
    with engine.connect() as conn:
        return {
            n: [{c: norm(v) for c, v in r.items()} for r in conn.execute(select(T[n])).mappings()]
            for n in names
        }


def _keyed(rows: Rows) -> dict[tuple[str, tuple[Any, ...]], dict[str, Any]]:
    return {(table, tuple(r[c] for c in KEYS[table])): r for table in KEYS for r in rows[table]}


def _rows_accounted(book: Book, mirror: Rows) -> Iterator[Difference]:
    """Every row the events must produce is there with their values, and no row more."""
    have = _keyed(mirror)
    for (table, key), columns in book.rows.items():
        row = have.get((table, key))
        if row is None:
            made_by = book.made_by.get((table, key)) or next(iter(columns.values()))[1]
            yield Difference(table, _key_text(key), None, "a row", made_by)
            continue
        for column, (value, why) in columns.items():
            if row.get(column) != value:
                yield Difference(table, f"{_key_text(key)}.{column}", row.get(column), value, why)
    for table, key in sorted(have.keys() - book.rows.keys(), key=str):
        yield Difference(table, _key_text(key), "a row", None, "no event made this row")


def _key_text(key: tuple[Any, ...]) -> str:
    return "(" + ", ".join(str(k) for k in key) + ")"


def _sum(rows: Iterable[dict[str, Any]], column: str) -> int:
    return sum(int(r[column] or 0) for r in rows)


def _totals(events: list[Logged], m: Rows) -> Iterator[tuple[str, int, int]]:
    """(what, from the logs, in the mirror) per event kind, then the sums any attribution keeps."""
    n = Counter(e.name for e in events)

    def of(name: str) -> list[dict[str, Any]]:
        return [e.a for e in events if e.name == name]

    def total(name: str, arg: str) -> int:
        return sum(int(a[arg]) for a in of(name))

    money = [g for g in m["gifts"] if g["kind"] == "money"]
    yield "events", len(events), len(m["raw_events"])
    yield "GiftRecorded count", n["GiftRecorded"], len(money)
    currencies = {a["currency"] for a in of("GiftRecorded")} | {g["currency"] for g in money}
    for c in sorted(currencies, key=str):
        chain = sum(a["amount"] for a in of("GiftRecorded") if a["currency"] == c)
        yield (
            f"GiftRecorded amount {c}",
            chain,
            _sum((g for g in money if g["currency"] == c), "amount"),
        )
    in_kind = [g for g in m["gifts"] if g["kind"] == "in_kind"]
    yield "InKindGiftRecorded count", n["InKindGiftRecorded"], len(in_kind)
    yield "PledgeRecorded count", n["PledgeRecorded"], len(m["pledges"])
    yield "PledgeRecorded amount", total("PledgeRecorded", "amount"), _sum(m["pledges"], "amount")
    yield "FundsAllocated count", n["FundsAllocated"], len(m["allocations"])
    yield (
        "FundsAllocated amount",
        total("FundsAllocated", "amount"),
        _sum(m["allocations"], "amount"),
    )
    yield (
        "AllocationSpent amount",
        total("AllocationSpent", "amount"),
        _sum(m["allocations"], "spent"),
    )
    yield (
        "AllocationReleased amount",
        total("AllocationReleased", "amount"),
        _sum(m["allocations"], "released"),
    )
    yield "PurchaseRecorded count", n["PurchaseRecorded"], len(m["purchases"])
    yield (
        "PurchaseRecorded amount",
        total("PurchaseRecorded", "amount"),
        _sum(m["purchases"], "amount"),
    )
    yield "LotCreated count", n["LotCreated"], len(m["lots"])
    yield "LotCreated quantity", total("LotCreated", "quantity"), _sum(m["lots"], "created")
    yield "ShipmentDispatched count", n["ShipmentDispatched"], len(m["shipments"])
    yield (
        "ShipmentDispatched lineCount",
        total("ShipmentDispatched", "lineCount"),
        _sum(m["shipments"], "line_count"),
    )
    lines, shipped = m["shipment_lines"], total("ShipmentLineDispatched", "quantity")
    yield "ShipmentLineDispatched count", n["ShipmentLineDispatched"], len(lines)
    yield "ShipmentLineDispatched quantity", shipped, _sum(lines, "quantity")
    yield "ShipmentLineDispatched quantity (lots.shipped)", shipped, _sum(m["lots"], "shipped")
    settled = [r for r in lines if r["settled"]]
    yield "ShipmentLineReceived count", n["ShipmentLineReceived"], len(settled)
    yield (
        "ShipmentLineReceived received",
        total("ShipmentLineReceived", "received"),
        _sum(lines, "received"),
    )
    yield (
        "ShipmentLineReceived declared",
        total("ShipmentLineReceived", "declared"),
        _sum(lines, "declared"),
    )
    completed = [s for s in m["shipments"] if s["completed"]]
    yield "ShipmentCompleted count", n["ShipmentCompleted"], len(completed)
    handed = total("HandedOver", "quantity")
    yield "HandedOver count", n["HandedOver"], len(m["hand_overs"])
    yield "HandedOver quantity", handed, _sum(m["hand_overs"], "quantity")
    yield "HandedOver quantity (lots.handed_over)", handed, _sum(m["lots"], "handed_over")
    yield "HandedOver quantity (needs.fulfilled)", handed, _sum(m["needs"], "fulfilled")
    yield "LotAdjusted count", n["LotAdjusted"], len(m["adjustments"])
    yield "LotAdjusted delta", total("LotAdjusted", "delta"), _sum(m["adjustments"], "delta")
    yield (
        "LotAdjusted delta (lots.adjusted_out)",
        total("LotAdjusted", "delta"),
        -_sum(m["lots"], "adjusted_out"),
    )
    yield "NeedPosted count", n["NeedPosted"], len(m["needs"])
    yield "NeedPosted quantity", total("NeedPosted", "quantity"), _sum(m["needs"], "quantity")
    yield "NeedClosed count", n["NeedClosed"], sum(1 for r in m["needs"] if not r["open"])
    for name, table in (
        ("OrganisationRegistered", "organisations"),
        ("SiteRegistered", "sites"),
        ("ItemRegistered", "items"),
        ("AttestationPosted", "attestations"),
    ):
        yield f"{name} count", n[name], len(m[table])
    yield from _attribution_totals(events, m)


def _sums_by(rows: Iterable[dict[str, Any]], key: str, column: str) -> dict[Any, int]:
    out: dict[Any, int] = defaultdict(int)
    for r in rows:
        out[r[key]] += int(r[column] or 0)
    return out


def _attribution_totals(events: list[Logged], m: Rows) -> Iterator[tuple[str, int, int]]:
    """Sums every attribution rule keeps: money attributed = money moved, units = units."""
    yield from _money_attribution(events, m)
    yield from _goods_attribution(events, m)


def _money_attribution(events: list[Logged], m: Rows) -> Iterator[tuple[str, int, int]]:
    pools: dict[Any, int] = defaultdict(int)
    allocated: dict[Any, int] = defaultdict(int)
    unspent: dict[Any, int] = defaultdict(int)
    spent: dict[Any, int] = defaultdict(int)
    for e in events:
        a = e.a
        match e.name:
            case "GiftRecorded":
                pools[a["poolId"]] += a["amount"]
            case "FundsAllocated":
                pools[a["poolId"]] -= a["amount"]
                allocated[a["allocationId"]] += a["amount"]
                unspent[a["allocationId"]] += a["amount"]
            case "AllocationSpent":
                unspent[a["allocationId"]] -= a["amount"]
                spent[a["purchaseId"]] += a["amount"]
            case "AllocationReleased":
                pools[a["poolId"]] += a["amount"]
                unspent[a["allocationId"]] -= a["amount"]
    money = [g for g in m["gifts"] if g["kind"] == "money"]
    left = _sums_by(money, "pool_id", "unallocated")
    for pool in sorted(pools, key=str):
        yield f"pool {pool} unallocated (gifts.unallocated)", pools[pool], left.get(pool, 0)
    links = m["gift_allocations"]
    amounts = _sums_by(links, "allocation_id", "amount")
    unspents = _sums_by(links, "allocation_id", "unspent")
    for allocation in sorted(allocated, key=str):
        what = f"allocation {allocation}"
        yield f"{what} amount (gift_allocations)", allocated[allocation], amounts.get(allocation, 0)
        yield f"{what} unspent (gift_allocations)", unspent[allocation], unspents.get(allocation, 0)
    paid = _sums_by(m["gift_purchases"], "purchase_id", "amount")
    for purchase in sorted(spent, key=str):
        yield f"purchase {purchase} amount (gift_purchases)", spent[purchase], paid.get(purchase, 0)


def _goods_attribution(events: list[Logged], m: Rows) -> Iterator[tuple[str, int, int]]:
    flows: dict[str, int] = {"line": 0, "hand_over": 0, "adjustment": 0}
    on_hand: dict[Any, int] = defaultdict(int)
    for e in events:
        a = e.a
        match e.name:
            case "LotCreated":
                on_hand[a["lotId"]] += a["quantity"]
            case "ShipmentLineDispatched":
                flows["line"] += a["quantity"]
                on_hand[a["lotId"]] -= a["quantity"]
            case "HandedOver":
                flows["hand_over"] += a["quantity"]
                on_hand[a["lotId"]] -= a["quantity"]
            case "LotAdjusted":
                flows["adjustment"] += max(0, -a["delta"])
                on_hand[a["lotId"]] += a["delta"]
    remaining = _sums_by(m["lot_sources"], "lot_id", "remaining")
    for lot in sorted(on_hand, key=str):
        yield f"lot {lot} on hand (lot_sources.remaining)", on_hand[lot], remaining.get(lot, 0)
    taken = _sums_by(m["flow_sources"], "flow_kind", "quantity")
    for kind, quantity in flows.items():
        yield f"{kind} units (flow_sources)", quantity, taken.get(kind, 0)


def account(mirror: Engine, rpc: Rpc, deployment: Deployment, last_block: int) -> list[Difference]:
    """Every difference between the mirror and what the chain's events up to `last_block`
    must have produced: one per unaccounted event or row, and one per total that differs."""
    events = chain_events(rpc, deployment, last_block)
    rows = _mirror_rows(mirror)
    book = Book()
    for e in events:
        record(book, e)
    out = list(_rows_accounted(book, rows))
    with mirror.connect() as conn:
        state = conn.execute(select(T["indexer_state"].c.seq)).scalar()
    last_seq = events[-1].seq if events else 0
    if state != last_seq:
        out.append(Difference("indexer_state", "seq", state, last_seq))
    for what, chain, ours in _totals(events, rows):
        if chain != ours:
            out.append(Difference("total", what, ours, chain))
    return out
