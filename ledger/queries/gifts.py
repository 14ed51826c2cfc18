"""Gifts: the public list (filtered, keyset-paginated) and one gift with what it paid for.

A money gift shows its currency and amount; an in-kind gift its lot's item and units, at the
warehouse it arrived at. The donor shows as the short id of the gift's donor commitment, and by
name only when they chose a public name. A gift's parts come from the attribution tables
(docs/attribution.md); the step-by-step story for a receipt code is `ledger.queries.trace`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlmodel import Session, SQLModel, col

from ledger.chain.types import EarmarkKind
from ledger.queries._refs import (
    EVENT_COLUMNS,
    earmark_of_region,
    event_ref,
    short_id,
    with_event,
)
from ledger.queries.funds import region_of
from ledger.queries.models import EventRef, Page, Position, Result
from ledger.queries.names import label
from ledger.queries.pages import DEFAULT_LIMIT, in_range, keyset, page, seq_bounds
from ledger.queries.position import position_or_read
from ledger.store.models import (
    Allocation,
    FlowSource,
    Gift,
    GiftAllocation,
    GiftPurchase,
    Item,
    Lot,
    LotSource,
    Purchase,
    Site,
)

MONEY, IN_KIND = "money", "in_kind"


class GiftPublic(SQLModel):
    """A gift as the public sees it. Money: `currency` and `amount` (minor units). In kind:
    `amount` is units of `item` in lot `lot_label` at `site`. `region` is the site's region (in
    kind) or the region earmark (money)."""

    kind: str
    gift_id: str
    donor: str | None  # short id of the donor commitment
    public_name: str | None
    currency: str | None
    amount: int
    unallocated: int
    item_id: str | None
    item: str | None
    unit: str | None
    site_id: str | None
    site: str | None
    region: str | None
    earmark_kind: int
    earmark: str | None
    pledge_id: str | None
    lot_id: str | None
    lot_label: str | None
    event: EventRef


class GiftAllocationPart(SQLModel):
    """The gift's `share` of an allocation (and how much of the share is unspent)."""

    allocation_id: str
    label: str
    amount: int
    share: int
    unspent: int
    event: EventRef


class GiftPurchasePart(SQLModel):
    """The gift's `share` of a purchase of `amount`, bought into lot `lot_label`."""

    purchase_id: str
    label: str
    amount: int
    share: int
    lot_id: str
    lot_label: str
    event: EventRef


class GiftLotPart(SQLModel):
    """Units of a lot that are the gift's: `quantity` came in, `remaining` are still there."""

    lot_id: str
    label: str
    item: str
    site_id: str
    site: str
    quantity: int
    remaining: int
    event: EventRef


class GiftFlowPart(SQLModel):
    """Units of the gift that left a lot: `flow_kind` line, hand_over or adjustment."""

    flow_kind: str
    flow_id: str
    quantity: int


class GiftDetail(SQLModel):
    """A gift and every part of it the attribution rule follows."""

    gift: GiftPublic
    allocations: list[GiftAllocationPart]
    purchases: list[GiftPurchasePart]
    lots: list[GiftLotPart]
    flows: list[GiftFlowPart]


_COLUMNS = (
    Gift,
    col(Lot.created),
    col(Lot.seq),
    col(Item.item_id),
    col(Item.name),
    col(Item.unit),
    col(Site.site_id),
    col(Site.name),
    col(Site.region),
)


def _base() -> Select[*tuple[Any, ...]]:
    query = (
        select(*_COLUMNS, *EVENT_COLUMNS)
        .select_from(Gift)
        .outerjoin(Lot, col(Lot.lot_id) == col(Gift.lot_id))
        .outerjoin(Item, col(Item.item_id) == col(Lot.item_id))
        .outerjoin(Site, col(Site.site_id) == col(Lot.site_id))
    )
    return with_event(query, col(Gift.seq))


def _region_of_earmark(gift: Gift) -> str | None:
    return region_of(gift.earmark) if gift.earmark_kind == EarmarkKind.REGION else None


def _public(row: Any) -> GiftPublic:
    gift: Gift = row[0]
    created, lot_seq, item_id, item, unit, site_id, site, region = row[1:9]
    return GiftPublic(
        kind=gift.kind,
        gift_id=gift.gift_id,
        donor=short_id(gift.donor_commitment),
        public_name=gift.public_name or None,
        currency=gift.currency,
        amount=gift.amount if gift.kind == MONEY else int(created or 0),
        unallocated=gift.unallocated,
        item_id=item_id,
        item=item,
        unit=unit,
        site_id=site_id,
        site=site,
        region=region if gift.kind == IN_KIND else _region_of_earmark(gift),
        earmark_kind=gift.earmark_kind,
        earmark=gift.earmark,
        pledge_id=gift.pledge_id,
        lot_id=gift.lot_id,
        lot_label=None if lot_seq is None else label("lot", lot_seq),
        event=event_ref(row),
    )


def list_gifts(
    session: Session,
    *,
    kind: str | None = None,
    currency: str | None = None,
    region: str | None = None,
    site: str | None = None,
    item: str | None = None,
    pledge: str | None = None,
    since: int | None = None,
    until: int | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    at: Position | None = None,
) -> Page[GiftPublic]:
    """Gifts newest first. `region` matches in-kind gifts at a site of that region and money
    gifts earmarked for it; `site` and `item` match in-kind gifts; `currency` money gifts."""
    position = position_or_read(session, at)
    query = _base().where(*in_range(col(Gift.seq), seq_bounds(session, since, until)))
    if kind is not None:
        query = query.where(col(Gift.kind) == kind)
    if currency is not None:
        query = query.where(col(Gift.currency) == currency)
    if region is not None:
        earmarked = and_(
            col(Gift.earmark_kind) == int(EarmarkKind.REGION),
            col(Gift.earmark) == earmark_of_region(region),
        )
        query = query.where(or_(earmarked, col(Site.region) == region))
    if site is not None:
        query = query.where(col(Lot.site_id) == site)
    if item is not None:
        query = query.where(col(Lot.item_id) == item)
    if pledge is not None:
        query = query.where(col(Gift.pledge_id) == pledge)
    key = (col(Gift.seq), col(Gift.gift_id))
    rows = session.execute(keyset(query, key, cursor, limit)).all()
    return page(rows, limit, lambda r: (r[0].seq, r[0].gift_id), _public, position)


def gift(
    session: Session, kind: str, gift_id: str, *, at: Position | None = None
) -> Result[GiftDetail] | None:
    """One gift (kind 'money' or 'in_kind') and its parts; None when the mirror lacks it."""
    position = position_or_read(session, at)
    row = session.execute(
        _base().where(col(Gift.kind) == kind, col(Gift.gift_id) == gift_id)
    ).first()
    if row is None:
        return None
    detail = GiftDetail(
        gift=_public(row),
        allocations=_allocations(session, kind, gift_id),
        purchases=_purchases(session, kind, gift_id),
        lots=_lots(session, kind, gift_id),
        flows=_flows(session, kind, gift_id),
    )
    return Result[GiftDetail](data=detail, position=position)


def _mine(model: Any, kind: str, gift_id: str) -> Any:
    return and_(col(model.gift_kind) == kind, col(model.gift_id) == gift_id)


def _allocations(session: Session, kind: str, gift_id: str) -> list[GiftAllocationPart]:
    query = with_event(
        select(GiftAllocation, Allocation, *EVENT_COLUMNS).join(
            Allocation, col(Allocation.allocation_id) == col(GiftAllocation.allocation_id)
        ),
        col(Allocation.seq),
    ).where(_mine(GiftAllocation, kind, gift_id))
    return [
        GiftAllocationPart(
            allocation_id=a.allocation_id,
            label=label("allocation", a.seq),
            amount=a.amount,
            share=part.amount,
            unspent=part.unspent,
            event=event_ref(row),
        )
        for row in session.execute(query.order_by(col(Allocation.seq))).all()
        for part, a in [row[:2]]
    ]


def _purchases(session: Session, kind: str, gift_id: str) -> list[GiftPurchasePart]:
    query = with_event(
        select(GiftPurchase, Purchase, col(Lot.seq), *EVENT_COLUMNS)
        .join(Purchase, col(Purchase.purchase_id) == col(GiftPurchase.purchase_id))
        .join(Lot, col(Lot.lot_id) == col(Purchase.lot_id)),
        col(Purchase.seq),
    ).where(_mine(GiftPurchase, kind, gift_id))
    return [
        GiftPurchasePart(
            purchase_id=p.purchase_id,
            label=label("purchase", p.seq),
            amount=p.amount,
            share=part.amount,
            lot_id=p.lot_id,
            lot_label=label("lot", lot_seq),
            event=event_ref(row),
        )
        for row in session.execute(query.order_by(col(Purchase.seq))).all()
        for part, p, lot_seq in [row[:3]]
    ]


def _lots(session: Session, kind: str, gift_id: str) -> list[GiftLotPart]:
    query = with_event(
        select(LotSource, Lot, col(Item.name), col(Site.name), *EVENT_COLUMNS)
        .join(Lot, col(Lot.lot_id) == col(LotSource.lot_id))
        .join(Item, col(Item.item_id) == col(Lot.item_id))
        .join(Site, col(Site.site_id) == col(Lot.site_id)),
        col(Lot.seq),
    ).where(_mine(LotSource, kind, gift_id))
    return [
        GiftLotPart(
            lot_id=lot.lot_id,
            label=label("lot", lot.seq),
            item=item,
            site_id=lot.site_id,
            site=site,
            quantity=part.quantity,
            remaining=part.remaining,
            event=event_ref(row),
        )
        for row in session.execute(query.order_by(col(Lot.seq))).all()
        for part, lot, item, site in [row[:4]]
    ]


def _flows(session: Session, kind: str, gift_id: str) -> list[GiftFlowPart]:
    query = select(FlowSource).where(_mine(FlowSource, kind, gift_id))
    parts = session.execute(query.order_by(col(FlowSource.flow_kind), col(FlowSource.flow_id)))
    return [
        GiftFlowPart(flow_kind=p.flow_kind, flow_id=p.flow_id, quantity=p.quantity)
        for p in parts.scalars()
    ]
