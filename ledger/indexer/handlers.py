"""One handler per `Contract:Event`: a decoded event in, row changes out (via the batch Unit).

Handlers are registered with `@handles("EventName")`; they never read the chain, only the
event and rows that earlier events made, so replaying the same events gives the same rows.
A zero bytes32 argument that names nothing (no pledge, no need, no earmark, ...) is stored as
NULL (`_opt`); ledger heads are kept as they are (docs/indexer.md, "Column formats").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ledger.chain.types import LotOrigin
from ledger.indexer import attribution
from ledger.indexer.prepare import Entry
from ledger.indexer.rows import Unit

Handler = Callable[["Context"], None]
ZERO_ID = "0x" + "00" * 32  # a zero bytes32 argument: "none" (no pledge, no parent lot, ...)
HANDLERS: dict[str, Handler] = {}


def _opt(value: str) -> str | None:
    """A bytes32 argument as stored: NULL when it is zero (it names nothing)."""
    return None if value == ZERO_ID else value


@dataclass
class Context:
    """What a handler sees: the batch's rows and the event (args already as SQL values)."""

    unit: Unit
    event: Entry
    a: dict[str, Any]

    @property
    def seq(self) -> int:
        """The event's sequence number."""
        return int(self.a["seq"])


def handles(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function for events named `name`."""

    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn

    return register


# ------------------------------------------------------------------ registry


@handles("LedgersBound")
def _ledgers_bound(ctx: Context) -> None:
    """Nothing to mirror: the deployment file already names the ledgers."""


@handles("PauseChanged")
def _pause_changed(ctx: Context) -> None:
    """Pauses live in raw_events only."""


@handles("RoleChanged")
def _role_changed(ctx: Context) -> None:
    a, members = ctx.a, ctx.unit["role_members"]
    row = members.get(a["role"], a["account"])
    if row is None:
        members.insert(
            {"role": a["role"], "account": a["account"], "granted": a["granted"], "seq": ctx.seq}
        )
    else:
        members.change(row, granted=a["granted"], seq=ctx.seq)


@handles("OrganisationRegistered")
def _organisation(ctx: Context) -> None:
    a = ctx.a
    ctx.unit["organisations"].insert(
        {"org_id": a["orgId"], "kind": a["kind"], "name": a["name"], "seq": ctx.seq}
    )


@handles("SiteRegistered")
def _site(ctx: Context) -> None:
    a = ctx.a
    row = {
        "site_id": a["siteId"],
        "org_id": a["orgId"],
        "kind": a["kind"],
        "region": a["region"],
        "name": a["name"],
    }
    ctx.unit["sites"].insert({**row, "seq": ctx.seq})


@handles("ItemRegistered")
def _item(ctx: Context) -> None:
    a = ctx.a
    row = {"item_id": a["itemId"], "category": a["category"], "unit": a["unit"], "name": a["name"]}
    ctx.unit["items"].insert({**row, "seq": ctx.seq})


@handles("AttestationPosted")
def _attestation(ctx: Context) -> None:
    a = ctx.a
    ctx.unit["attestations"].insert(
        {
            "attestation_id": a["attestationId"],
            "report_hash": _opt(a["reportHash"]),
            "from_block": a["fromBlock"],
            "to_block": a["toBlock"],
            "covered_seq": a["coveredSeq"],
            "covered_head": a["coveredHead"],
            "actor": a["actor"],
            "seq": ctx.seq,
        }
    )


# ------------------------------------------------------------------ money


@handles("GiftRecorded")
def _gift(ctx: Context) -> None:
    a, unit = ctx.a, ctx.unit
    pool = unit["pools"].get(a["poolId"])
    if pool is None:
        pool = unit["pools"].insert(
            {
                "pool_id": a["poolId"],
                "currency": a["currency"],
                "earmark_kind": a["earmarkKind"],
                "earmark": _opt(a["earmark"]),
                "received": 0,
                "allocated": 0,
            }
        )
    unit["pools"].add(pool, received=a["amount"])
    pledge_id = _opt(a["pledgeId"])
    if pledge_id is not None:
        unit["pledges"].add(unit["pledges"].require(pledge_id), paid=a["amount"])
    unit["gifts"].insert(
        _gift_row(
            ctx,
            kind=attribution.MONEY,
            pool_id=a["poolId"],
            currency=a["currency"],
            amount=a["amount"],
            unallocated=a["amount"],
            earmark_kind=a["earmarkKind"],
            earmark=_opt(a["earmark"]),
            pledge_id=pledge_id,
        )
    )


def _gift_row(ctx: Context, **fields: Any) -> dict[str, Any]:
    """A `gifts` row: what money and in-kind gifts share, then `fields`."""
    a = ctx.a
    row = {
        "gift_id": a["giftId"],
        "pool_id": None,
        "currency": None,
        "amount": 0,
        "unallocated": 0,
        "earmark_kind": 0,
        "earmark": None,
        "evidence_hash": _opt(a["evidenceHash"]),
        "donor_commitment": _opt(a["donorCommitment"]),
        "pledge_id": None,
        "public_name": a["publicName"],
        "lot_id": None,
        "block_number": ctx.event.block_number,
        "tx_hash": ctx.event.tx_hash,
        "actor": a["actor"],
        "seq": ctx.seq,
    }
    row.update(fields)
    return row


@handles("PledgeRecorded")
def _pledge(ctx: Context) -> None:
    a = ctx.a
    ctx.unit["pledges"].insert(
        {
            "pledge_id": a["pledgeId"],
            "currency": a["currency"],
            "amount": a["amount"],
            "paid": 0,
            "earmark_kind": a["earmarkKind"],
            "earmark": _opt(a["earmark"]),
            "donor_commitment": _opt(a["donorCommitment"]),
            "due_date": a["dueDate"],
            "seq": ctx.seq,
        }
    )


@handles("FundsAllocated")
def _allocated(ctx: Context) -> None:
    a, unit = ctx.a, ctx.unit
    unit["pools"].add(unit["pools"].require(a["poolId"]), allocated=a["amount"])
    unit["allocations"].insert(
        {
            "allocation_id": a["allocationId"],
            "pool_id": a["poolId"],
            "amount": a["amount"],
            "spent": 0,
            "released": 0,
            "need_id": _opt(a["needId"]),
            "purpose": _opt(a["purpose"]),
            "actor": a["actor"],
            "seq": ctx.seq,
        }
    )
    attribution.allocate(unit, a["poolId"], a["allocationId"], a["amount"])


@handles("AllocationSpent")
def _spent(ctx: Context) -> None:
    a, unit = ctx.a, ctx.unit
    unit["allocations"].add(unit["allocations"].require(a["allocationId"]), spent=a["amount"])
    attribution.spend(unit, a["allocationId"], a["purchaseId"], a["amount"])


@handles("AllocationReleased")
def _released(ctx: Context) -> None:
    a, unit = ctx.a, ctx.unit
    unit["allocations"].add(unit["allocations"].require(a["allocationId"]), released=a["amount"])
    unit["pools"].add(unit["pools"].require(a["poolId"]), allocated=-a["amount"])
    attribution.release(unit, a["allocationId"], a["amount"])


# ------------------------------------------------------------------ goods


@handles("InKindGiftRecorded")
def _in_kind(ctx: Context) -> None:
    ctx.unit["gifts"].insert(_gift_row(ctx, kind=attribution.IN_KIND, lot_id=ctx.a["lotId"]))


@handles("PurchaseRecorded")
def _purchase(ctx: Context) -> None:
    a = ctx.a
    ctx.unit["purchases"].insert(
        {
            "purchase_id": a["purchaseId"],
            "allocation_id": a["allocationId"],
            "lot_id": a["lotId"],
            "supplier_id": a["supplierId"],
            "amount": a["amount"],
            "invoice_hash": _opt(a["invoiceHash"]),
            "actor": a["actor"],
            "seq": ctx.seq,
        }
    )


@handles("LotCreated")
def _lot(ctx: Context) -> None:
    a, unit = ctx.a, ctx.unit
    unit["lots"].insert(
        {
            "lot_id": a["lotId"],
            "item_id": a["itemId"],
            "site_id": a["siteId"],
            "created": a["quantity"],
            "on_hand": a["quantity"],
            "shipped": 0,
            "handed_over": 0,
            "adjusted_out": 0,
            "batch": _opt(a["batch"]),
            "expiry": a["expiry"],
            "origin": a["origin"],
            "origin_id": a["originId"],
            "parent_lot_id": _opt(a["parentLotId"]),
            "seq": ctx.seq,
        }
    )
    attribution.new_lot(unit, a["lotId"])
    if a["origin"] == LotOrigin.IN_KIND_GIFT:
        gift = unit["gifts"].require(attribution.IN_KIND, a["originId"])
        attribution.gifted_lot(unit, a["lotId"], gift["gift_id"], gift["seq"], a["quantity"])
    elif a["origin"] == LotOrigin.PURCHASE:
        attribution.purchased_lot(unit, a["lotId"], a["originId"], a["quantity"])
    else:
        index = _receipt_line_index(unit, a)
        attribution.received_lot(unit, a["lotId"], _line_flow(a["originId"], index), a["quantity"])


def _receipt_line_index(unit: Unit, a: dict[str, Any]) -> int:
    for line in unit["shipment_lines"].where("shipment_id", a["originId"]):
        if line["receipt_lot_id"] == a["lotId"]:
            return int(line["line_index"])
    raise KeyError(f"no received line of shipment {a['originId']} made lot {a['lotId']}")


def _line_flow(shipment_id: str, line_index: int) -> str:
    return f"{shipment_id}:{line_index}"


@handles("NeedPosted")
def _need(ctx: Context) -> None:
    a = ctx.a
    ctx.unit["needs"].insert(
        {
            "need_id": a["needId"],
            "site_id": a["siteId"],
            "item_id": a["itemId"],
            "quantity": a["quantity"],
            "fulfilled": 0,
            "priority": a["priority"],
            "deadline": a["deadline"],
            "open": True,
            "seq": ctx.seq,
        }
    )


@handles("NeedClosed")
def _need_closed(ctx: Context) -> None:
    ctx.unit["needs"].change(ctx.unit["needs"].require(ctx.a["needId"]), open=False)


@handles("ShipmentDispatched")
def _shipment(ctx: Context) -> None:
    a = ctx.a
    ctx.unit["shipments"].insert(
        {
            "shipment_id": a["shipmentId"],
            "from_site": a["fromSite"],
            "to_site": a["toSite"],
            "line_count": a["lineCount"],
            "open_lines": a["lineCount"],
            "completed": False,
            "actor": a["actor"],
            "seq": ctx.seq,
        }
    )


@handles("ShipmentLineDispatched")
def _line(ctx: Context) -> None:
    a, unit = ctx.a, ctx.unit
    unit["lots"].add(
        unit["lots"].require(a["lotId"]), shipped=a["quantity"], on_hand=-a["quantity"]
    )
    unit["shipment_lines"].insert(
        {
            "shipment_id": a["shipmentId"],
            "line_index": a["lineIndex"],
            "lot_id": a["lotId"],
            "quantity": a["quantity"],
            "received": 0,
            "declared": 0,
            "reason": 0,
            "receipt_lot_id": None,
            "settled": False,
        }
    )
    attribution.take(
        unit, a["lotId"], "line", _line_flow(a["shipmentId"], a["lineIndex"]), a["quantity"]
    )


@handles("ShipmentLineReceived")
def _received(ctx: Context) -> None:
    a, unit = ctx.a, ctx.unit
    line = unit["shipment_lines"].require(a["shipmentId"], a["lineIndex"])
    unit["shipment_lines"].change(
        line,
        received=a["received"],
        declared=a["declared"],
        reason=a["reason"],
        receipt_lot_id=_opt(a["lotId"]),
        settled=True,
    )
    unit["shipments"].add(unit["shipments"].require(a["shipmentId"]), open_lines=-1)


@handles("ShipmentCompleted")
def _completed(ctx: Context) -> None:
    ctx.unit["shipments"].change(ctx.unit["shipments"].require(ctx.a["shipmentId"]), completed=True)


@handles("HandedOver")
def _handed(ctx: Context) -> None:
    a, unit = ctx.a, ctx.unit
    unit["lots"].add(
        unit["lots"].require(a["lotId"]), handed_over=a["quantity"], on_hand=-a["quantity"]
    )
    unit["needs"].add(unit["needs"].require(a["needId"]), fulfilled=a["quantity"])
    unit["hand_overs"].insert(
        {
            "hand_over_id": a["handOverId"],
            "lot_id": a["lotId"],
            "need_id": a["needId"],
            "quantity": a["quantity"],
            "beneficiaries": a["beneficiaries"],
            "unit": a["unit"],
            "actor": a["actor"],
            "seq": ctx.seq,
        }
    )
    attribution.take(unit, a["lotId"], "hand_over", a["handOverId"], a["quantity"])


@handles("LotAdjusted")
def _adjusted(ctx: Context) -> None:
    a, unit = ctx.a, ctx.unit
    delta = a["delta"]
    unit["lots"].add(unit["lots"].require(a["lotId"]), adjusted_out=-delta, on_hand=delta)
    unit["adjustments"].insert(
        {
            "adjustment_id": a["adjustmentId"],
            "lot_id": a["lotId"],
            "delta": delta,
            "reason": a["reason"],
            "actor": a["actor"],
            "seq": ctx.seq,
        }
    )
    if delta < 0:
        attribution.take(unit, a["lotId"], "adjustment", a["adjustmentId"], -delta)
    else:
        attribution.corrected(unit, a["lotId"], delta)
