"""Sites and what they hold: the site list, stock by lot (with expiry), one site, and needs.

Needs are listed here because they belong to recipient sites; `ledger.queries.needs` is the
matcher's narrower view (open needs only). A lot is expired when it has an expiry and
`expiry <= now` (unix seconds, passed in).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlmodel import Session, SQLModel, col

from ledger.chain.types import LotOrigin, SiteKind
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
from ledger.store.models import Item, Lot, Need, Organisation, Shipment, ShipmentLine, Site

SITE_KINDS = {SiteKind.WAREHOUSE: "warehouse", SiteKind.RECIPIENT: "recipient"}
ORIGINS = {
    LotOrigin.IN_KIND_GIFT: "in_kind",
    LotOrigin.PURCHASE: "purchase",
    LotOrigin.RECEIPT: "receipt",
}
NEED_STATUSES = ("open", "met", "closed")


class SitePublic(SQLModel):
    """A site, its organisation, and the units and lots it holds now."""

    site_id: str
    name: str
    kind: str  # warehouse or recipient
    region: str
    org_id: str
    org: str
    lots: int
    on_hand: int
    event: EventRef


class StockLotPublic(SQLModel):
    """Units of one lot on hand at a site; `expiry` 0 for none; `origin` in_kind, purchase or
    receipt (arrived by shipment)."""

    lot_id: str
    label: str
    item_id: str
    item: str
    unit: str
    site_id: str
    site: str
    region: str
    created: int
    on_hand: int
    expiry: int
    expired: bool
    batch: str | None
    origin: str
    event: EventRef


class ItemStock(SQLModel):
    """Units of one item on hand at a site, over its lots; `expired` of them past expiry, and
    when the next of those lots expires (None: none will)."""

    item_id: str
    item: str
    unit: str
    on_hand: int
    expired: int
    lots: int
    next_expiry: int | None = None


class NeedPublic(SQLModel):
    """A need posted by a recipient site and how far hand-overs met it; `deadline` 0 for none.
    `status`: open (units outstanding), met (handed over in full) or closed (closed short)."""

    need_id: str
    label: str
    site_id: str
    site: str
    region: str
    item_id: str
    item: str
    unit: str
    quantity: int
    fulfilled: int
    outstanding: int
    priority: int
    deadline: int
    status: str
    event: EventRef


class NeedsAgainstDeliveries(SQLModel):
    """Needs of one item in one region against what was delivered: units needed and handed
    over, units on their way (unsettled shipment lines to the region's recipient sites), and
    how many needs are open, met and closed short."""

    region: str
    item_id: str
    item: str
    unit: str
    needed: int
    handed_over: int
    in_transit: int
    open: int
    met: int
    closed: int


class SiteDetail(SQLModel):
    """One site: its row, stock per item, and its open needs (lots: `list_stock(site=...)`)."""

    site: SitePublic
    stock: list[ItemStock]
    open_needs: list[NeedPublic]


def _sites_query(site_id: str | None = None) -> Select[Any]:
    """Sites with their lots and units on hand; one site's sums only when `site_id` is given
    (summing every site's lots to keep one row cost 200 ms at a million events)."""
    filters = [col(Lot.on_hand) > 0]
    if site_id is not None:
        filters.append(col(Lot.site_id) == site_id)
    held = (
        select(
            col(Lot.site_id).label("site_id"),
            func.count().label("lots"),
            func.sum(col(Lot.on_hand)).label("on_hand"),
        )
        .where(*filters)
        .group_by(col(Lot.site_id))
        .subquery()
    )
    query = (
        select(Site, col(Organisation.name), held.c.lots, held.c.on_hand, *EVENT_COLUMNS)
        .join(Organisation, col(Organisation.org_id) == col(Site.org_id))
        .outerjoin(held, held.c.site_id == col(Site.site_id))
    )
    return with_event(query, col(Site.seq))


def _site(row: Any) -> SitePublic:
    site: Site = row[0]
    return SitePublic(
        site_id=site.site_id,
        name=site.name,
        kind=SITE_KINDS.get(SiteKind(site.kind), "other"),
        region=site.region,
        org_id=site.org_id,
        org=row[1],
        lots=int(row[2] or 0),
        on_hand=int(row[3] or 0),
        event=event_ref(row),
    )


def list_sites(
    session: Session,
    *,
    region: str | None = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    at: Position | None = None,
) -> Page[SitePublic]:
    """Sites by name (then id), of a `region` and `kind` (warehouse, recipient) if given."""
    position = position_or_read(session, at)
    query = _sites_query()
    if region is not None:
        query = query.where(col(Site.region) == region)
    if kind is not None:
        codes = [code for code, name in SITE_KINDS.items() if name == kind]
        if not codes:
            raise BadFilterError(f"no site kind {kind!r}: use warehouse or recipient")
        query = query.where(col(Site.kind) == int(codes[0]))
    key = (col(Site.name), col(Site.site_id))
    rows = session.execute(keyset(query, key, cursor, limit, ascending=True)).all()
    return page(rows, limit, lambda r: (r[0].name, r[0].site_id), _site, position)


def list_stock(
    session: Session,
    now: int,
    *,
    site: str | None = None,
    region: str | None = None,
    item: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    at: Position | None = None,
) -> Page[StockLotPublic]:
    """Lots with units on hand, newest first, at a `site` / in a `region` / of an `item`."""
    position = position_or_read(session, at)
    query = with_event(
        select(Lot, Item, Site, *EVENT_COLUMNS)
        .join(Item, col(Item.item_id) == col(Lot.item_id))
        .join(Site, col(Site.site_id) == col(Lot.site_id)),
        col(Lot.seq),
    ).where(col(Lot.on_hand) > 0)
    if site is not None:
        query = query.where(col(Lot.site_id) == site)
    if region is not None:
        query = query.where(col(Site.region) == region)
    if item is not None:
        query = query.where(col(Lot.item_id) == item)
    key = (col(Lot.seq), col(Lot.lot_id))
    rows = session.execute(keyset(query, key, cursor, limit)).all()
    return page(rows, limit, lambda r: (r[0].seq, r[0].lot_id), lambda r: _lot(r, now), position)


def _lot(row: Any, now: int) -> StockLotPublic:
    lot, item, site = row[:3]
    return StockLotPublic(
        lot_id=lot.lot_id,
        label=label("lot", lot.seq),
        item_id=item.item_id,
        item=item.name,
        unit=item.unit,
        site_id=site.site_id,
        site=site.name,
        region=site.region,
        created=lot.created,
        on_hand=lot.on_hand,
        expiry=lot.expiry,
        expired=lot.expiry != 0 and lot.expiry <= now,
        batch=lot.batch,
        origin=ORIGINS.get(LotOrigin(lot.origin), "other"),
        event=event_ref(row),
    )


def site(
    session: Session, site_id: str, now: int, *, at: Position | None = None
) -> Result[SiteDetail] | None:
    """One site, its stock per item at `now`, and its open needs; None when unknown (4 queries
    with `at` given)."""
    position = position_or_read(session, at)
    row = session.execute(_sites_query(site_id).where(col(Site.site_id) == site_id)).first()
    if row is None:
        return None
    expired = and_(col(Lot.expiry) != 0, col(Lot.expiry) <= now)
    stock = session.execute(
        select(
            col(Item.item_id),
            col(Item.name),
            col(Item.unit),
            func.sum(col(Lot.on_hand)),
            func.sum(case((expired, col(Lot.on_hand)), else_=0)),
            func.count(),
            func.min(case((col(Lot.expiry) > now, col(Lot.expiry)), else_=None)),
        )
        .join(Item, col(Item.item_id) == col(Lot.item_id))
        .where(col(Lot.site_id) == site_id, col(Lot.on_hand) > 0)
        .group_by(col(Item.item_id), col(Item.name), col(Item.unit))
        .order_by(col(Item.name))
    ).all()
    needs = list_needs(session, status="open", site=site_id, limit=100, at=position).items
    detail = SiteDetail(
        site=_site(row),
        stock=[
            ItemStock(
                item_id=i,
                item=n,
                unit=u,
                on_hand=int(h),
                expired=int(x),
                lots=int(c),
                next_expiry=None if e is None else int(e),
            )
            for i, n, u, h, x, c, e in stock
        ],
        open_needs=needs,
    )
    return Result[SiteDetail](data=detail, position=position)


def _status(need: Need) -> str:
    if need.fulfilled >= need.quantity:
        return "met"
    return "open" if need.open else "closed"


def list_needs(
    session: Session,
    *,
    status: str | None = None,
    region: str | None = None,
    site: str | None = None,
    item: str | None = None,
    since: int | None = None,
    until: int | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    at: Position | None = None,
) -> Page[NeedPublic]:
    """Needs newest first; `status` open, met or closed; by region, site, item, date posted."""
    position = position_or_read(session, at)
    query = with_event(
        select(Need, Site, Item, *EVENT_COLUMNS)
        .join(Site, col(Site.site_id) == col(Need.site_id))
        .join(Item, col(Item.item_id) == col(Need.item_id)),
        col(Need.seq),
    ).where(*in_range(col(Need.seq), seq_bounds(session, since, until)))
    met = col(Need.fulfilled) >= col(Need.quantity)
    if status == "met":
        query = query.where(met)
    elif status == "open":
        query = query.where(col(Need.open), ~met)
    elif status == "closed":
        query = query.where(col(Need.open).is_(False), ~met)
    elif status is not None:
        raise BadFilterError(f"no need status {status!r}: use open, met or closed")
    if region is not None:
        query = query.where(col(Site.region) == region)
    if site is not None:
        query = query.where(col(Need.site_id) == site)
    if item is not None:
        query = query.where(col(Need.item_id) == item)
    key = (col(Need.seq), col(Need.need_id))
    rows = session.execute(keyset(query, key, cursor, limit)).all()
    return page(rows, limit, lambda r: (r[0].seq, r[0].need_id), _need, position)


def _need(row: Any) -> NeedPublic:
    need, site_row, item = row[:3]
    return NeedPublic(
        need_id=need.need_id,
        label=label("need", need.seq),
        site_id=site_row.site_id,
        site=site_row.name,
        region=site_row.region,
        item_id=item.item_id,
        item=item.name,
        unit=item.unit,
        quantity=need.quantity,
        fulfilled=need.fulfilled,
        outstanding=max(need.quantity - need.fulfilled, 0),
        priority=need.priority,
        deadline=need.deadline,
        status=_status(need),
        event=event_ref(row),
    )


def needs_by_region(
    session: Session,
    *,
    region: str | None = None,
    item: str | None = None,
    at: Position | None = None,
) -> Result[list[NeedsAgainstDeliveries]]:
    """Per (region, item) with needs: needed against handed over and in transit (2 queries)."""
    position = position_or_read(session, at)
    met = col(Need.fulfilled) >= col(Need.quantity)
    filters = []
    if region is not None:
        filters.append(col(Site.region) == region)
    if item is not None:
        filters.append(col(Item.item_id) == item)
    rows = session.execute(
        select(
            col(Site.region),
            col(Item.item_id),
            col(Item.name),
            col(Item.unit),
            func.sum(col(Need.quantity)),
            func.sum(col(Need.fulfilled)),
            func.sum(case((and_(col(Need.open), ~met), 1), else_=0)),
            func.sum(case((met, 1), else_=0)),
            func.sum(case((and_(col(Need.open).is_(False), ~met), 1), else_=0)),
        )
        .join(Site, col(Site.site_id) == col(Need.site_id))
        .join(Item, col(Item.item_id) == col(Need.item_id))
        .where(*filters)
        .group_by(col(Site.region), col(Item.item_id), col(Item.name), col(Item.unit))
        .order_by(col(Site.region), col(Item.name))
    ).all()
    moving = _in_transit(session, filters)
    data = [
        NeedsAgainstDeliveries(
            region=r,
            item_id=i,
            item=n,
            unit=u,
            needed=int(q),
            handed_over=int(h),
            in_transit=moving.get((r, i), 0),
            open=int(o),
            met=int(m),
            closed=int(c),
        )
        for r, i, n, u, q, h, o, m, c in rows
    ]
    return Result[list[NeedsAgainstDeliveries]](data=data, position=position)


def _in_transit(session: Session, filters: list[Any]) -> dict[tuple[str, str], int]:
    """(region, item) -> units on unsettled shipment lines to recipient sites."""
    rows = session.execute(
        select(col(Site.region), col(Item.item_id), func.sum(col(ShipmentLine.quantity)))
        .select_from(ShipmentLine)
        .join(Shipment, col(Shipment.shipment_id) == col(ShipmentLine.shipment_id))
        .join(Site, col(Site.site_id) == col(Shipment.to_site))
        .join(Lot, col(Lot.lot_id) == col(ShipmentLine.lot_id))
        .join(Item, col(Item.item_id) == col(Lot.item_id))
        .where(
            col(ShipmentLine.settled).is_(False),
            col(Site.kind) == int(SiteKind.RECIPIENT),
            *filters,
        )
        .group_by(col(Site.region), col(Item.item_id))
    ).all()
    return {(r, i): int(q) for r, i, q in rows}
