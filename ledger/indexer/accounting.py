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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import SQLModel

from ledger.chain.deployment import Deployment
from ledger.chain.events import decode_log, event_specs, verify_sequence
from ledger.chain.rpc import RangeRefusedError, Rpc
from ledger.indexer.difference import Difference

T = SQLModel.metadata.tables
_ZERO = "0x" + "00" * 32
_SPAN = 10_000  # blocks per eth_getLogs, halved while the node refuses

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


@dataclass(frozen=True)
class Logged:
    """One sequenced event as read from the chain, arguments in the mirror's column formats."""

    name: str
    contract: str
    seq: int
    block: int
    tx: str
    log_index: int
    emitter: str
    a: dict[str, Any]

    def __str__(self) -> str:
        return (
            f"{self.contract}:{self.name} seq {self.seq} "
            f"(block {self.block}, tx {self.tx}, log {self.log_index})"
        )


def norm(value: Any) -> Any:
    """A value as compared: hex in lower case, and a zero id (or "0x") as None."""
    if isinstance(value, str) and value.startswith(("0x", "0X")):
        value = value.lower()
        return None if value in (_ZERO, "0x") else value
    return value


def _column_value(type_: str, value: Any) -> Any:
    """An event argument in the mirror's documented column format (docs/indexer.md)."""
    if type_ == "bytes3":
        return bytes(value).decode("ascii", "replace")
    if type_ == "bytes8":
        return bytes(value).rstrip(b"\x00").decode("ascii", "replace")
    if type_.startswith("bytes"):
        return norm("0x" + bytes(value).hex())
    if type_ == "address":
        return str(value).lower()
    return value


def chain_events(rpc: Rpc, deployment: Deployment, last_block: int) -> list[Logged]:
    """Every sequenced event from the deployment block to `last_block`, hash chain checked."""
    addresses = deployment.contracts()
    names = {address.lower(): name for name, address in addresses.items()}
    logs: list[dict[str, Any]] = []
    first, span = deployment.deployment_block, _SPAN
    while first <= last_block:
        last = min(last_block, first + span - 1)
        query = {"fromBlock": hex(first), "toBlock": hex(last), "address": list(addresses.values())}
        try:
            logs += rpc.call("eth_getLogs", [query])
        except RangeRefusedError:
            if span == 1:
                raise
            span //= 2
            continue
        first = last + 1
    decoded = [e for e in map(decode_log, logs) if e is not None]
    decoded.sort(key=lambda e: (e.block_number, e.log_index))
    specs = {s.name: s for s in event_specs().values()}
    out = []
    for e in verify_sequence(decoded):
        spec = specs[e.name]
        args = {n: _column_value(t, e.args[n]) for n, t in zip(spec.names, spec.types, strict=True)}
        tx = "0x" + e.tx_hash.hex()
        emitter = e.emitter.lower()
        out.append(
            Logged(
                e.name,
                names.get(emitter, "?"),
                e.seq,
                e.block_number,
                tx,
                e.log_index,
                emitter,
                args,
            )
        )
    return out


@dataclass
class _Book:
    """The rows the events must have produced: key -> column -> (value, which event says so)."""

    rows: dict[tuple[str, tuple[Any, ...]], dict[str, tuple[Any, str]]] = field(
        default_factory=dict
    )
    made_by: dict[tuple[str, tuple[Any, ...]], str] = field(default_factory=dict)
    sums: dict[tuple[str, tuple[Any, ...], str], set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )

    def make(self, e: Logged, table: str, key: tuple[Any, ...], **columns: Any) -> None:
        """The row `e` creates, with the columns it fixes."""
        self.made_by[(table, key)] = str(e)
        self.put(e, table, key, **columns)

    def put(self, e: Logged, table: str, key: tuple[Any, ...], **columns: Any) -> None:
        """Columns `e` sets on a row (made by it or by an earlier event)."""
        row = self.rows.setdefault((table, key), {})
        for column, value in columns.items():
            row[column] = (value, str(e))

    def add(self, e: Logged, table: str, key: tuple[Any, ...], column: str, amount: int) -> None:
        """A running sum: the column is the sum of every event's contribution."""
        row = self.rows.setdefault((table, key), {})
        value, _ = row.get(column, (0, ""))
        self.sums[(table, key, column)].add(e.name)
        names = ", ".join(sorted(self.sums[(table, key, column)]))
        row[column] = (value + amount, f"sum of {names} events")


Rule = Callable[[_Book, Logged], None]
RULES: dict[str, Rule] = {}


def _accounts(name: str) -> Callable[[Rule], Rule]:
    """Register what an event named `name` must produce (LedgersBound and PauseChanged: only
    their raw event)."""

    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn

    return register


def _record(book: _Book, e: Logged) -> None:
    """Book what `e` must have produced: its raw event, then what its own rule says."""
    book.make(
        e,
        "raw_events",
        (e.tx, e.log_index),
        name=e.name,
        seq=e.seq,
        block_number=e.block,
        emitter=e.emitter,
    )
    rule = RULES.get(e.name)
    if rule is not None:
        rule(book, e)


@_accounts("OrganisationRegistered")
def _organisation_registered(book: _Book, e: Logged) -> None:
    a, seq = e.a, e.seq
    book.make(e, "organisations", (a["orgId"],), kind=a["kind"], name=a["name"], seq=seq)


@_accounts("SiteRegistered")
def _site_registered(book: _Book, e: Logged) -> None:
    a, seq = e.a, e.seq
    book.make(
        e,
        "sites",
        (a["siteId"],),
        org_id=a["orgId"],
        kind=a["kind"],
        region=a["region"],
        name=a["name"],
        seq=seq,
    )


@_accounts("ItemRegistered")
def _item_registered(book: _Book, e: Logged) -> None:
    a, seq = e.a, e.seq
    book.make(
        e,
        "items",
        (a["itemId"],),
        category=a["category"],
        unit=a["unit"],
        name=a["name"],
        seq=seq,
    )


@_accounts("RoleChanged")
def _role_changed(book: _Book, e: Logged) -> None:
    # the last change of a (role, account) stands
    a, seq = e.a, e.seq
    book.make(e, "role_members", (a["role"], a["account"]), granted=a["granted"], seq=seq)


@_accounts("AttestationPosted")
def _attestation_posted(book: _Book, e: Logged) -> None:
    a, seq = e.a, e.seq
    book.make(
        e,
        "attestations",
        (a["attestationId"],),
        report_hash=a["reportHash"],
        from_block=a["fromBlock"],
        to_block=a["toBlock"],
        covered_seq=a["coveredSeq"],
        covered_head=a["coveredHead"],
        actor=a["actor"],
        seq=seq,
    )


@_accounts("GiftRecorded")
def _gift_recorded(book: _Book, e: Logged) -> None:
    a, seq = e.a, e.seq
    book.make(
        e,
        "gifts",
        ("money", a["giftId"]),
        pool_id=a["poolId"],
        currency=a["currency"],
        amount=a["amount"],
        earmark_kind=a["earmarkKind"],
        earmark=a["earmark"],
        evidence_hash=a["evidenceHash"],
        donor_commitment=a["donorCommitment"],
        pledge_id=a["pledgeId"],
        public_name=a["publicName"],
        block_number=e.block,
        tx_hash=e.tx,
        actor=a["actor"],
        seq=seq,
    )
    pool = (a["poolId"],)
    book.make(
        e,
        "pools",
        pool,
        currency=a["currency"],
        earmark_kind=a["earmarkKind"],
        earmark=a["earmark"],
    )
    book.add(e, "pools", pool, "received", a["amount"])
    book.add(e, "pools", pool, "allocated", 0)
    if a["pledgeId"] is not None:
        book.add(e, "pledges", (a["pledgeId"],), "paid", a["amount"])


@_accounts("InKindGiftRecorded")
def _in_kind_gift_recorded(book: _Book, e: Logged) -> None:
    a, seq = e.a, e.seq
    book.make(
        e,
        "gifts",
        ("in_kind", a["giftId"]),
        lot_id=a["lotId"],
        pool_id=None,  # no money in an in-kind gift's row
        currency=None,
        amount=0,
        unallocated=0,
        pledge_id=None,
        evidence_hash=a["evidenceHash"],
        donor_commitment=a["donorCommitment"],
        public_name=a["publicName"],
        block_number=e.block,
        tx_hash=e.tx,
        actor=a["actor"],
        seq=seq,
    )


@_accounts("PledgeRecorded")
def _pledge_recorded(book: _Book, e: Logged) -> None:
    a, seq = e.a, e.seq
    book.make(
        e,
        "pledges",
        (a["pledgeId"],),
        currency=a["currency"],
        amount=a["amount"],
        earmark_kind=a["earmarkKind"],
        earmark=a["earmark"],
        donor_commitment=a["donorCommitment"],
        due_date=a["dueDate"],
        seq=seq,
    )
    book.add(e, "pledges", (a["pledgeId"],), "paid", 0)


@_accounts("FundsAllocated")
def _funds_allocated(book: _Book, e: Logged) -> None:
    a, seq = e.a, e.seq
    allocation = (a["allocationId"],)
    book.make(
        e,
        "allocations",
        allocation,
        pool_id=a["poolId"],
        amount=a["amount"],
        need_id=a["needId"],
        purpose=a["purpose"],
        actor=a["actor"],
        seq=seq,
    )
    book.add(e, "allocations", allocation, "spent", 0)
    book.add(e, "allocations", allocation, "released", 0)
    book.add(e, "pools", (a["poolId"],), "allocated", a["amount"])


@_accounts("AllocationSpent")
def _allocation_spent(book: _Book, e: Logged) -> None:
    a = e.a
    book.add(e, "allocations", (a["allocationId"],), "spent", a["amount"])
    book.put(
        e,
        "purchases",
        (a["purchaseId"],),
        allocation_id=a["allocationId"],
        amount=a["amount"],
    )


@_accounts("AllocationReleased")
def _allocation_released(book: _Book, e: Logged) -> None:
    a = e.a
    book.put(e, "allocations", (a["allocationId"],), pool_id=a["poolId"])
    book.add(e, "allocations", (a["allocationId"],), "released", a["amount"])
    book.add(e, "pools", (a["poolId"],), "allocated", -a["amount"])


@_accounts("PurchaseRecorded")
def _purchase_recorded(book: _Book, e: Logged) -> None:
    a, seq = e.a, e.seq
    book.make(
        e,
        "purchases",
        (a["purchaseId"],),
        allocation_id=a["allocationId"],
        lot_id=a["lotId"],
        supplier_id=a["supplierId"],
        amount=a["amount"],
        invoice_hash=a["invoiceHash"],
        actor=a["actor"],
        seq=seq,
    )


@_accounts("LotCreated")
def _lot_created(book: _Book, e: Logged) -> None:
    a, seq = e.a, e.seq
    lot = (a["lotId"],)
    book.make(
        e,
        "lots",
        lot,
        item_id=a["itemId"],
        site_id=a["siteId"],
        created=a["quantity"],
        batch=a["batch"],
        expiry=a["expiry"],
        origin=a["origin"],
        origin_id=a["originId"],
        parent_lot_id=a["parentLotId"],
        seq=seq,
    )
    book.add(e, "lots", lot, "on_hand", a["quantity"])
    for column in ("shipped", "handed_over", "adjusted_out"):
        book.add(e, "lots", lot, column, 0)


@_accounts("NeedPosted")
def _need_posted(book: _Book, e: Logged) -> None:
    a, seq = e.a, e.seq
    book.make(
        e,
        "needs",
        (a["needId"],),
        site_id=a["siteId"],
        item_id=a["itemId"],
        quantity=a["quantity"],
        priority=a["priority"],
        deadline=a["deadline"],
        open=True,
        seq=seq,
    )
    book.add(e, "needs", (a["needId"],), "fulfilled", 0)


@_accounts("NeedClosed")
def _need_closed(book: _Book, e: Logged) -> None:
    a = e.a
    book.put(e, "needs", (a["needId"],), open=False)
    book.put(e, "needs", (a["needId"],), fulfilled=a["fulfilled"])


@_accounts("ShipmentDispatched")
def _shipment_dispatched(book: _Book, e: Logged) -> None:
    a, seq = e.a, e.seq
    book.make(
        e,
        "shipments",
        (a["shipmentId"],),
        from_site=a["fromSite"],
        to_site=a["toSite"],
        line_count=a["lineCount"],
        completed=False,
        actor=a["actor"],
        seq=seq,
    )
    book.add(e, "shipments", (a["shipmentId"],), "open_lines", a["lineCount"])


@_accounts("ShipmentLineDispatched")
def _shipment_line_dispatched(book: _Book, e: Logged) -> None:
    a = e.a
    book.make(
        e,
        "shipment_lines",
        (a["shipmentId"], a["lineIndex"]),
        lot_id=a["lotId"],
        quantity=a["quantity"],
        received=0,
        declared=0,
        reason=0,
        receipt_lot_id=None,
        settled=False,
    )
    book.add(e, "lots", (a["lotId"],), "shipped", a["quantity"])
    book.add(e, "lots", (a["lotId"],), "on_hand", -a["quantity"])


@_accounts("ShipmentLineReceived")
def _shipment_line_received(book: _Book, e: Logged) -> None:
    a = e.a
    book.put(
        e,
        "shipment_lines",
        (a["shipmentId"], a["lineIndex"]),
        received=a["received"],
        declared=a["declared"],
        reason=a["reason"],
        receipt_lot_id=a["lotId"],
        settled=True,
    )
    book.add(e, "shipments", (a["shipmentId"],), "open_lines", -1)


@_accounts("ShipmentCompleted")
def _shipment_completed(book: _Book, e: Logged) -> None:
    a = e.a
    book.put(e, "shipments", (a["shipmentId"],), completed=True)


@_accounts("HandedOver")
def _handed_over(book: _Book, e: Logged) -> None:
    a, seq = e.a, e.seq
    book.make(
        e,
        "hand_overs",
        (a["handOverId"],),
        lot_id=a["lotId"],
        need_id=a["needId"],
        quantity=a["quantity"],
        beneficiaries=a["beneficiaries"],
        unit=a["unit"],
        actor=a["actor"],
        seq=seq,
    )
    book.add(e, "lots", (a["lotId"],), "handed_over", a["quantity"])
    book.add(e, "lots", (a["lotId"],), "on_hand", -a["quantity"])
    book.add(e, "needs", (a["needId"],), "fulfilled", a["quantity"])


@_accounts("LotAdjusted")
def _lot_adjusted(book: _Book, e: Logged) -> None:
    a, seq = e.a, e.seq
    book.make(
        e,
        "adjustments",
        (a["adjustmentId"],),
        lot_id=a["lotId"],
        delta=a["delta"],
        reason=a["reason"],
        actor=a["actor"],
        seq=seq,
    )
    book.add(e, "lots", (a["lotId"],), "adjusted_out", -a["delta"])
    book.add(e, "lots", (a["lotId"],), "on_hand", a["delta"])


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


def _rows_accounted(book: _Book, mirror: Rows) -> Iterator[Difference]:
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
    book = _Book()
    for e in events:
        _record(book, e)
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
