"""Handlers of SupplyLedger events: in-kind gifts, purchases, lots, needs, shipments, hand-overs
and adjustments."""

from __future__ import annotations

from ledger.chain.types import DiscrepancyReason, LotOrigin
from ledger.indexer import attribution
from ledger.indexer.handlers.args import (
    HandedOverArgs,
    InKindGiftRecordedArgs,
    LotAdjustedArgs,
    LotCreatedArgs,
    NeedClosedArgs,
    NeedPostedArgs,
    PurchaseRecordedArgs,
    ShipmentCompletedArgs,
    ShipmentDispatchedArgs,
    ShipmentLineDispatchedArgs,
    ShipmentLineReceivedArgs,
)
from ledger.indexer.handlers.base import Context, Group, Key, gift_row, line_flow, on, opt
from ledger.indexer.rows import Unit


@on("SupplyLedger:InKindGiftRecorded")
def _in_kind(ctx: Context[InKindGiftRecordedArgs]) -> None:
    ctx.unit["gifts"].insert(gift_row(ctx, kind=attribution.IN_KIND, lot_id=ctx.a["lotId"]))


@on("SupplyLedger:PurchaseRecorded")
def _purchase(ctx: Context[PurchaseRecordedArgs]) -> None:
    a = ctx.a
    ctx.unit["purchases"].insert(
        {
            "purchase_id": a["purchaseId"],
            "allocation_id": a["allocationId"],
            "lot_id": a["lotId"],
            "supplier_id": a["supplierId"],
            "amount": a["amount"],
            "invoice_hash": opt(a["invoiceHash"]),
            "actor": a["actor"],
            "seq": ctx.seq,
        }
    )


@on("SupplyLedger:LotCreated")
def _lot(ctx: Context[LotCreatedArgs]) -> None:
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
            "batch": opt(a["batch"]),
            "expiry": a["expiry"],
            "origin": a["origin"],
            "origin_id": a["originId"],
            "parent_lot_id": opt(a["parentLotId"]),
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
        attribution.received_lot(unit, a["lotId"], line_flow(a["originId"], index), a["quantity"])


def _receipt_line_index(unit: Unit, a: LotCreatedArgs) -> int:
    for line in unit["shipment_lines"].where("shipment_id", a["originId"]):
        if line["receipt_lot_id"] == a["lotId"]:
            return int(line["line_index"])
    raise KeyError(f"no received line of shipment {a['originId']} made lot {a['lotId']}")


@on("SupplyLedger:NeedPosted")
def _need(ctx: Context[NeedPostedArgs]) -> None:
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


@on(
    "SupplyLedger:NeedClosed",
    reads=(Key("needs", "needId"),),
)
def _need_closed(ctx: Context[NeedClosedArgs]) -> None:
    ctx.unit["needs"].change(ctx.unit["needs"].require(ctx.a["needId"]), open=False)


@on("SupplyLedger:ShipmentDispatched")
def _shipment(ctx: Context[ShipmentDispatchedArgs]) -> None:
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


@on(
    "SupplyLedger:ShipmentLineDispatched",
    reads=(Key("lots", "lotId"), Group("lot_sources", "lot_id", "lotId")),
)
def _line(ctx: Context[ShipmentLineDispatchedArgs]) -> None:
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
            "reason": int(DiscrepancyReason.NONE),
            "receipt_lot_id": None,
            "settled": False,
        }
    )
    attribution.take(
        unit, a["lotId"], "line", line_flow(a["shipmentId"], a["lineIndex"]), a["quantity"]
    )


@on(
    "SupplyLedger:ShipmentLineReceived",
    reads=(
        Key("shipments", "shipmentId"),
        Group("shipment_lines", "shipment_id", "shipmentId"),
        # read by the receipt lot's LotCreated, which follows in the same transaction and whose
        # own arguments do not name the line
        Group("flow_sources", "flow_id", lambda a: line_flow(a["shipmentId"], a["lineIndex"])),
    ),
)
def _received(ctx: Context[ShipmentLineReceivedArgs]) -> None:
    a, unit = ctx.a, ctx.unit
    line = unit["shipment_lines"].require(a["shipmentId"], a["lineIndex"])
    unit["shipment_lines"].change(
        line,
        received=a["received"],
        declared=a["declared"],
        reason=a["reason"],
        receipt_lot_id=opt(a["lotId"]),
        settled=True,
    )
    unit["shipments"].add(unit["shipments"].require(a["shipmentId"]), open_lines=-1)


@on(
    "SupplyLedger:ShipmentCompleted",
    reads=(Key("shipments", "shipmentId"),),
)
def _completed(ctx: Context[ShipmentCompletedArgs]) -> None:
    ctx.unit["shipments"].change(ctx.unit["shipments"].require(ctx.a["shipmentId"]), completed=True)


@on(
    "SupplyLedger:HandedOver",
    reads=(Key("lots", "lotId"), Key("needs", "needId"), Group("lot_sources", "lot_id", "lotId")),
)
def _handed(ctx: Context[HandedOverArgs]) -> None:
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


@on(
    "SupplyLedger:LotAdjusted",
    reads=(Key("lots", "lotId"), Group("lot_sources", "lot_id", "lotId")),
)
def _adjusted(ctx: Context[LotAdjustedArgs]) -> None:
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
