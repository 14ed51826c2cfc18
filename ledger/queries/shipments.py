"""Shipments between sites: the list, and one shipment's lines (dispatched against received,
discrepancies with their reasons).

A shipment is `in_transit` until every line is settled (received, in full or with the rest
declared damaged, lost, short, expired or refused), then `completed`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel, col

from ledger.chain.types import DiscrepancyReason
from ledger.queries._refs import EVENT_COLUMNS, event_ref, with_event
from ledger.queries.models import EventRef, Page, Position, Result
from ledger.queries.names import label
from ledger.queries.pages import (
    DEFAULT_LIMIT,
    BadFilterError,
    in_range,
    keyset,
    page,
    seq_bounds,
)
from ledger.queries.position import position_or_read
from ledger.store.models import Item, Lot, Shipment, ShipmentLine, Site

STATUSES = ("in_transit", "completed")
_From = aliased(Site, name="from_site")
_To = aliased(Site, name="to_site")
_Receipt = aliased(Lot, name="receipt_lot")


class ShipmentPublic(SQLModel):
    """A shipment; `dispatched`, `received` and `declared` add up its lines' units."""

    shipment_id: str
    label: str
    from_site_id: str
    from_site: str
    from_region: str
    to_site_id: str
    to_site: str
    to_region: str
    line_count: int
    open_lines: int
    status: str
    dispatched: int
    received: int
    declared: int
    event: EventRef


class ShipmentLinePublic(SQLModel):
    """One line: `quantity` dispatched from lot `lot_label`; once `settled`, `received` arrived
    (into lot `receipt_lot_label`) and `declared` did not, for `reason` (damaged, lost, short,
    expired, refused; None when nothing was declared)."""

    line_index: int
    lot_id: str
    lot_label: str
    item_id: str
    item: str
    unit: str
    quantity: int
    received: int
    declared: int
    reason: str | None
    settled: bool
    receipt_lot_id: str | None
    receipt_lot_label: str | None


class ShipmentDetail(SQLModel):
    """A shipment and its lines in order."""

    shipment: ShipmentPublic
    lines: list[ShipmentLinePublic]


def _base() -> Select[*tuple[Any, ...]]:
    query = (
        select(Shipment, _From, _To, *EVENT_COLUMNS)
        .join(_From, col(_From.site_id) == col(Shipment.from_site))
        .join(_To, col(_To.site_id) == col(Shipment.to_site))
    )
    return with_event(query, col(Shipment.seq))


def _sums(session: Session, ids: list[str]) -> dict[str, tuple[int, int, int]]:
    """shipment id -> (dispatched, received, declared), one query for a page of shipments."""
    if not ids:
        return {}
    rows = session.execute(
        select(
            col(ShipmentLine.shipment_id),
            func.sum(col(ShipmentLine.quantity)),
            func.sum(col(ShipmentLine.received)),
            func.sum(col(ShipmentLine.declared)),
        )
        .where(col(ShipmentLine.shipment_id).in_(ids))
        .group_by(col(ShipmentLine.shipment_id))
    ).all()
    return {s: (int(d), int(r), int(x)) for s, d, r, x in rows}


def _public(row: Any, sums: dict[str, tuple[int, int, int]]) -> ShipmentPublic:
    shipment, origin, dest = row[:3]
    dispatched, received, declared = sums.get(shipment.shipment_id, (0, 0, 0))
    return ShipmentPublic(
        shipment_id=shipment.shipment_id,
        label=label("shipment", shipment.seq),
        from_site_id=origin.site_id,
        from_site=origin.name,
        from_region=origin.region,
        to_site_id=dest.site_id,
        to_site=dest.name,
        to_region=dest.region,
        line_count=shipment.line_count,
        open_lines=shipment.open_lines,
        status="completed" if shipment.completed else "in_transit",
        dispatched=dispatched,
        received=received,
        declared=declared,
        event=event_ref(row),
    )


def list_shipments(
    session: Session,
    *,
    status: str | None = None,
    site: str | None = None,
    region: str | None = None,
    item: str | None = None,
    since: int | None = None,
    until: int | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    at: Position | None = None,
) -> Page[ShipmentPublic]:
    """Shipments newest first; `site` and `region` match either end, `item` any line's item,
    `status` in_transit or completed; the date is the dispatch's (3 queries with `at`)."""
    position = position_or_read(session, at)
    query = _base().where(*in_range(col(Shipment.seq), seq_bounds(session, since, until)))
    if status is not None:
        if status not in STATUSES:
            raise BadFilterError(f"no shipment status {status!r}: use in_transit or completed")
        query = query.where(col(Shipment.completed).is_(status == "completed"))
    if site is not None:
        query = query.where(or_(col(Shipment.from_site) == site, col(Shipment.to_site) == site))
    if region is not None:
        query = query.where(or_(col(_From.region) == region, col(_To.region) == region))
    if item is not None:
        query = query.where(
            exists().where(
                col(ShipmentLine.shipment_id) == col(Shipment.shipment_id),
                col(Lot.lot_id) == col(ShipmentLine.lot_id),
                col(Lot.item_id) == item,
            )
        )
    key = (col(Shipment.seq), col(Shipment.shipment_id))
    rows = session.execute(keyset(query, key, cursor, limit)).all()
    sums = _sums(session, [r[0].shipment_id for r in rows[:limit]])
    return page(
        rows, limit, lambda r: (r[0].seq, r[0].shipment_id), lambda r: _public(r, sums), position
    )


def shipment(
    session: Session, shipment_id: str, *, at: Position | None = None
) -> Result[ShipmentDetail] | None:
    """One shipment and its lines; None when unknown (2 queries with `at` given)."""
    position = position_or_read(session, at)
    row = session.execute(_base().where(col(Shipment.shipment_id) == shipment_id)).first()
    if row is None:
        return None
    lines = session.execute(
        select(ShipmentLine, Lot, Item, col(_Receipt.seq))
        .join(Lot, col(Lot.lot_id) == col(ShipmentLine.lot_id))
        .join(Item, col(Item.item_id) == col(Lot.item_id))
        .outerjoin(_Receipt, col(_Receipt.lot_id) == col(ShipmentLine.receipt_lot_id))
        .where(col(ShipmentLine.shipment_id) == shipment_id)
        .order_by(col(ShipmentLine.line_index))
    ).all()
    sums = {shipment_id: (0, 0, 0)}
    for line, *_ in lines:
        d, r, x = sums[shipment_id]
        sums[shipment_id] = (d + line.quantity, r + line.received, x + line.declared)
    detail = ShipmentDetail(shipment=_public(row, sums), lines=[_line(*line) for line in lines])
    return Result[ShipmentDetail](data=detail, position=position)


def _line(line: ShipmentLine, lot: Lot, item: Item, receipt_seq: int | None) -> ShipmentLinePublic:
    reason = DiscrepancyReason(line.reason).name.lower() if line.declared else None
    return ShipmentLinePublic(
        line_index=line.line_index,
        lot_id=line.lot_id,
        lot_label=label("lot", lot.seq),
        item_id=item.item_id,
        item=item.name,
        unit=item.unit,
        quantity=line.quantity,
        received=line.received,
        declared=line.declared,
        reason=reason,
        settled=line.settled,
        receipt_lot_id=line.receipt_lot_id,
        receipt_lot_label=None if receipt_seq is None else label("lot", receipt_seq),
    )
