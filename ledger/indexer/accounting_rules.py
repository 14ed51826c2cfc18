"""What each sequenced event must have produced in the mirror: one small rule per event.

Part of the accounting check (`ledger/indexer/accounting.py`); it shares no code with the
indexer's handlers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ledger.indexer.logged import Logged


@dataclass
class Book:
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


Rule = Callable[[Book, Logged], None]
RULES: dict[str, Rule] = {}


def _accounts(name: str) -> Callable[[Rule], Rule]:
    """Register what an event named `name` must produce (LedgersBound and PauseChanged: only
    their raw event)."""

    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn

    return register


def record(book: Book, e: Logged) -> None:
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
def _organisation_registered(book: Book, e: Logged) -> None:
    a, seq = e.a, e.seq
    book.make(e, "organisations", (a["orgId"],), kind=a["kind"], name=a["name"], seq=seq)


@_accounts("SiteRegistered")
def _site_registered(book: Book, e: Logged) -> None:
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
def _item_registered(book: Book, e: Logged) -> None:
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
def _role_changed(book: Book, e: Logged) -> None:
    # the last change of a (role, account) stands
    a, seq = e.a, e.seq
    book.make(e, "role_members", (a["role"], a["account"]), granted=a["granted"], seq=seq)


@_accounts("AttestationPosted")
def _attestation_posted(book: Book, e: Logged) -> None:
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
def _gift_recorded(book: Book, e: Logged) -> None:
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
def _in_kind_gift_recorded(book: Book, e: Logged) -> None:
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
def _pledge_recorded(book: Book, e: Logged) -> None:
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
def _funds_allocated(book: Book, e: Logged) -> None:
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
def _allocation_spent(book: Book, e: Logged) -> None:
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
def _allocation_released(book: Book, e: Logged) -> None:
    a = e.a
    book.put(e, "allocations", (a["allocationId"],), pool_id=a["poolId"])
    book.add(e, "allocations", (a["allocationId"],), "released", a["amount"])
    book.add(e, "pools", (a["poolId"],), "allocated", -a["amount"])


@_accounts("PurchaseRecorded")
def _purchase_recorded(book: Book, e: Logged) -> None:
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
def _lot_created(book: Book, e: Logged) -> None:
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
def _need_posted(book: Book, e: Logged) -> None:
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
def _need_closed(book: Book, e: Logged) -> None:
    a = e.a
    book.put(e, "needs", (a["needId"],), open=False)
    book.put(e, "needs", (a["needId"],), fulfilled=a["fulfilled"])


@_accounts("ShipmentDispatched")
def _shipment_dispatched(book: Book, e: Logged) -> None:
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
def _shipment_line_dispatched(book: Book, e: Logged) -> None:
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
def _shipment_line_received(book: Book, e: Logged) -> None:
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
def _shipment_completed(book: Book, e: Logged) -> None:
    a = e.a
    book.put(e, "shipments", (a["shipmentId"],), completed=True)


@_accounts("HandedOver")
def _handed_over(book: Book, e: Logged) -> None:
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
def _lot_adjusted(book: Book, e: Logged) -> None:
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
