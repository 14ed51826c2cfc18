"""What did my gift become? The gift with a donor commitment, and every step it paid for.

Read from the mirror's attribution tables (docs/attribution.md): the allocations a money gift
went into and its share of each, the purchases those paid and its share, the lots holding its
units (bought, given in kind, or received from a shipment), and the units that left those lots
(shipment lines, hand-overs, write-offs). An in-kind gift starts at its own lot. Each step
carries its transaction, block and ledger seq, so anyone can check it on chain.

The receipt code is read by `ledger.write.receipts.ReceiptCode` (which says when it is
mistyped); this module works from the commitment it gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlmodel import Session, col

from ledger.errors import AidLedgerValueError
from ledger.queries.names import label, mirror_block, name_of
from ledger.queries.sentences import Sentence, Value, code
from ledger.store.models import (
    Adjustment,
    Allocation,
    Block,
    FlowSource,
    Gift,
    GiftAllocation,
    GiftPurchase,
    HandOver,
    Item,
    Lot,
    LotSource,
    Purchase,
    RawEvent,
    Shipment,
    ShipmentLine,
    Site,
)


class GiftNotFoundError(AidLedgerValueError):
    """No gift with this commitment in the mirror (not recorded, or not indexed yet)."""


@dataclass(frozen=True)
class At:
    """Where a step is on chain: its ledger seq, block, time (unix s) and transaction."""

    seq: int
    block_number: int
    timestamp: int
    tx_hash: str


@dataclass(frozen=True)
class GiftStep:
    """The gift: money (`amount` in minor units of `currency`) or in kind (`amount` units,
    given as `lot`)."""

    kind: str  # 'money' or 'in_kind'
    gift_id: str
    currency: str | None
    amount: int
    unallocated: int
    public_name: str
    lot: str | None
    at: At


@dataclass(frozen=True)
class AllocationStep:
    """An allocation the gift's money went into: `share` of its `amount`."""

    label: str
    amount: int
    share: int
    unspent: int
    need: str | None
    at: At


@dataclass(frozen=True)
class PurchaseStep:
    """A purchase the gift paid `share` of (its `amount`); the goods became `lot`."""

    label: str
    amount: int
    share: int
    lot: str
    at: At


@dataclass(frozen=True)
class LotStep:
    """A lot holding `units` of the gift (of `created`), `remaining` of them still in it."""

    label: str
    origin: str  # 'purchase', 'in_kind', 'receipt' (as `sites.list_stock`)
    item: str
    unit: str
    site: str
    created: int
    units: int
    remaining: int
    at: At


@dataclass(frozen=True)
class FlowStep:
    """Units of the gift leaving `lot`: a shipment line, a hand-over or an adjustment;
    `detail` says where they went or why (`sentences.english` writes it in English)."""

    kind: str  # 'shipment', 'hand-over', 'adjustment'
    label: str
    lot: str
    units: int
    detail: Sentence
    at: At


@dataclass(frozen=True)
class Trace:
    """Everything the gift became, each list in ledger order; `mirror_block` as of which."""

    gift: GiftStep
    allocations: list[AllocationStep]
    purchases: list[PurchaseStep]
    lots: list[LotStep]
    flows: list[FlowStep]
    mirror_block: int


def trace(session: Session, commitment: bytes) -> Trace:
    """The trace of the gift recorded with `commitment`; GiftNotFoundError if there is none."""
    key = "0x" + commitment.hex()
    gift = session.execute(
        select(Gift).where(col(Gift.donor_commitment) == key).order_by(col(Gift.seq))
    ).scalar()
    block = mirror_block(session)
    if gift is None:
        where = "the mirror is empty" if block is None else f"the mirror is at block {block:,}"
        raise GiftNotFoundError(
            f"no gift with this receipt code: not found (yet): {where}; a gift recorded "
            "since then shows once `aidledger index` has run"
        )
    lots = _lots(session, gift)
    return Trace(
        _gift(session, gift),
        _allocations(session, gift),
        _purchases(session, gift),
        lots,
        _flows(session, gift),
        block or 0,
    )


def _at(session: Session, seq: int) -> At:
    event = session.execute(select(RawEvent).where(col(RawEvent.seq) == seq)).scalar_one()
    block = session.get(Block, event.block_number)
    return At(seq, event.block_number, block.timestamp if block else 0, event.tx_hash)


def _label(session: Session, kind: str, key: str | None) -> str:
    if key is None:
        return ""
    return name_of(session, kind, bytes.fromhex(key[2:])) or key[:10] + "…"


def _gift(session: Session, gift: Gift) -> GiftStep:
    amount = gift.amount
    if gift.lot_id:  # in kind: the units are the lot's
        lot = session.get(Lot, gift.lot_id)
        amount = lot.created if lot else 0
    return GiftStep(
        gift.kind,
        gift.gift_id,
        gift.currency,
        amount,
        gift.unallocated,
        gift.public_name,
        _label(session, "lot", gift.lot_id) if gift.lot_id else None,
        _at(session, gift.seq),
    )


def _mine(model: Any, gift: Gift) -> ColumnElement[bool]:
    """The rows of `model` (an attribution table) that belong to `gift`."""
    return (col(model.gift_kind) == gift.kind) & (col(model.gift_id) == gift.gift_id)


def _allocations(session: Session, gift: Gift) -> list[AllocationStep]:
    rows = session.execute(
        select(GiftAllocation, Allocation)
        .join(Allocation, col(Allocation.allocation_id) == col(GiftAllocation.allocation_id))
        .where(_mine(GiftAllocation, gift))
        .order_by(col(Allocation.seq))
    ).all()
    return [
        AllocationStep(
            label("allocation", a.seq),
            a.amount,
            part.amount,
            part.unspent,
            _label(session, "need", a.need_id) or None,
            _at(session, a.seq),
        )
        for part, a in rows
    ]


def _purchases(session: Session, gift: Gift) -> list[PurchaseStep]:
    rows = session.execute(
        select(GiftPurchase, Purchase)
        .join(Purchase, col(Purchase.purchase_id) == col(GiftPurchase.purchase_id))
        .where(_mine(GiftPurchase, gift))
        .order_by(col(Purchase.seq))
    ).all()
    return [
        PurchaseStep(
            label("purchase", p.seq),
            p.amount,
            part.amount,
            _label(session, "lot", p.lot_id),
            _at(session, p.seq),
        )
        for part, p in rows
    ]


def _lots(session: Session, gift: Gift) -> list[LotStep]:
    rows = session.execute(
        select(LotSource, Lot, Item, Site)
        .join(Lot, col(Lot.lot_id) == col(LotSource.lot_id))
        .join(Item, col(Item.item_id) == col(Lot.item_id))
        .join(Site, col(Site.site_id) == col(Lot.site_id))
        .where(_mine(LotSource, gift))
        .order_by(col(Lot.seq))
    ).all()
    return [
        LotStep(
            label("lot", lot.seq),
            code("lot_origin", lot.origin).code,
            item.name,
            item.unit,
            site.name,
            lot.created,
            part.quantity,
            part.remaining,
            _at(session, lot.seq),
        )
        for part, lot, item, site in rows
    ]


def _flows(session: Session, gift: Gift) -> list[FlowStep]:
    parts = session.execute(
        select(FlowSource).where(_mine(FlowSource, gift)).order_by(col(FlowSource.gift_seq))
    ).scalars()
    steps = [_flow(session, part) for part in parts]
    return sorted(steps, key=lambda s: s.at.seq)


def _flow(session: Session, part: FlowSource) -> FlowStep:
    if part.flow_kind == "line":
        shipment_id, _, index = part.flow_id.partition(":")
        shipment = session.get(Shipment, shipment_id)
        line = session.get(ShipmentLine, (shipment_id, int(index)))
        assert shipment is not None and line is not None
        values: dict[str, Value] = {
            "line": int(index),
            "from_site": _label(session, "site", shipment.from_site),
            "to_site": _label(session, "site", shipment.to_site),
        }
        kind = "line_on_its_way"
        if line.settled:
            kind = "line_received"
            values.update(received=line.received, quantity=line.quantity)
            if line.declared:
                kind = "line_received_short"
                values.update(
                    declared=line.declared, reason=code("discrepancy_reason", line.reason)
                )
        detail = Sentence(kind, values)
        lot = _label(session, "lot", line.lot_id)
        return FlowStep(
            "shipment",
            label("shipment", shipment.seq),
            lot,
            part.quantity,
            detail,
            _at(session, shipment.seq),
        )
    if part.flow_kind == "hand_over":
        hand = session.get(HandOver, part.flow_id)
        assert hand is not None
        given: dict[str, Value] = {
            "quantity": hand.quantity,
            "beneficiaries": hand.beneficiaries,
            "unit": code("beneficiary_unit", hand.unit),
        }
        if hand.need_id:
            given["need"] = _label(session, "need", hand.need_id)
        detail = Sentence("hand_over_for_need" if hand.need_id else "hand_over", given)
        lot = _label(session, "lot", hand.lot_id)
        return FlowStep(
            "hand-over",
            hand.hand_over_id[:10] + "…",
            lot,
            part.quantity,
            detail,
            _at(session, hand.seq),
        )
    adjustment = session.get(Adjustment, part.flow_id)
    assert adjustment is not None
    reason = Sentence("written_off", {"reason": code("adjustment_reason", adjustment.reason)})
    lot = _label(session, "lot", adjustment.lot_id)
    return FlowStep(
        "adjustment",
        adjustment.adjustment_id[:10] + "…",
        lot,
        part.quantity,
        reason,
        _at(session, adjustment.seq),
    )
