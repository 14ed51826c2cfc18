"""The overview: money and goods in totals, needs met, the pledge gap, latest events, alerts.

Money received and allocated come from the pools (allocated is net of releases: money
released goes back to its pool), spent from the allocations (what purchases took). Goods
received are the units of lots created by in-kind gifts and by purchases (receipt lots are
the same units arriving elsewhere); shipped is every unit dispatched on a shipment line, and
handed over every unit given to beneficiaries. About ten queries in all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session, SQLModel, col

from ledger.chain.types import LotOrigin
from ledger.queries._refs import EVENT_COLUMNS, event_ref, with_event
from ledger.queries.models import EventRef, Position, Result
from ledger.queries.names import label
from ledger.queries.position import position_or_read
from ledger.store.models import (
    Allocation,
    Block,
    Item,
    Lot,
    Need,
    Pledge,
    Pool,
    RawEvent,
    Shipment,
    Site,
)

DAY = 86_400


class MoneyTotals(SQLModel):
    """One currency: received from donors, allocated (net of releases), spent on purchases."""

    currency: str
    received: int
    allocated: int
    spent: int


class GoodsTotals(SQLModel):
    """One item: units received (in kind and bought), shipped, handed over."""

    item_id: str
    item: str
    unit: str
    received_in_kind: int
    received_purchased: int
    shipped: int
    handed_over: int

    @property
    def received(self) -> int:
        """All units that entered the system."""
        return self.received_in_kind + self.received_purchased


class NeedsMet(SQLModel):
    """Needs posted and met (fulfilled in full); `percent` is the floor of met / posted."""

    posted: int
    met: int
    units_needed: int
    units_handed_over: int
    percent: int


class PledgeGap(SQLModel):
    """One currency: promised by pledges, paid by gifts against them, and still unpaid."""

    currency: str
    promised: int
    paid: int
    gap: int


class ExpiringLot(SQLModel):
    """A lot with units on hand expiring within the window (or expired already)."""

    lot_id: str
    label: str
    item: str
    site_id: str
    site: str
    on_hand: int
    expiry: int
    expired: bool


class LateShipment(SQLModel):
    """A shipment dispatched longer ago than the limit and not received in full."""

    shipment_id: str
    label: str
    from_site: str
    to_site: str
    open_lines: int
    dispatched: EventRef
    days: int


class OverdueNeed(SQLModel):
    """An open need past its deadline with units still to hand over."""

    need_id: str
    label: str
    site: str
    item: str
    quantity: int
    fulfilled: int
    deadline: int


class Alerts(SQLModel):
    """What needs attention at `now`."""

    expiring: list[ExpiringLot]
    late_shipments: list[LateShipment]
    overdue_needs: list[OverdueNeed]


class Overview(SQLModel):
    """Everything the overview page shows, except the flows (`ledger.queries.flows`)."""

    money: list[MoneyTotals]
    goods: list[GoodsTotals]
    needs: NeedsMet
    pledges: list[PledgeGap]
    latest: list[EventRef]
    alerts: Alerts


def overview(
    session: Session,
    now: int,
    *,
    expiring_days: int = 30,
    late_days: int = 7,
    latest: int = 10,
    alert_limit: int = 20,
    at: Position | None = None,
) -> Result[Overview]:
    """The overview at clock `now` (unix seconds; passed in so tests and caches control it)."""
    position = position_or_read(session, at)
    data = Overview(
        money=money_totals(session),
        goods=goods_totals(session),
        needs=needs_met(session),
        pledges=pledge_gaps(session),
        latest=latest_events(session, latest),
        alerts=alerts(
            session, now, expiring_days=expiring_days, late_days=late_days, limit=alert_limit
        ),
    )
    return Result[Overview](data=data, position=position)


def alerts(
    session: Session, now: int, *, expiring_days: int = 30, late_days: int = 7, limit: int = 20
) -> Alerts:
    """What needs attention at clock `now`: the only part of the overview that depends on it."""
    return Alerts(
        expiring=expiring_lots(session, now, expiring_days, limit),
        late_shipments=late_shipments(session, now, late_days, limit),
        overdue_needs=overdue_needs(session, now, limit),
    )


def money_totals(session: Session) -> list[MoneyTotals]:
    """Received, allocated and spent per currency (two queries)."""
    pooled = session.execute(
        select(col(Pool.currency), func.sum(col(Pool.received)), func.sum(col(Pool.allocated)))
        .group_by(col(Pool.currency))
        .order_by(col(Pool.currency))
    ).all()
    spent = dict(
        session.execute(
            select(col(Pool.currency), func.sum(col(Allocation.spent)))
            .join(Pool, col(Pool.pool_id) == col(Allocation.pool_id))
            .group_by(col(Pool.currency))
        ).all()
    )
    return [
        MoneyTotals(currency=c, received=int(r), allocated=int(a), spent=int(spent.get(c) or 0))
        for c, r, a in pooled
    ]


def _created_if(origin: LotOrigin) -> Any:
    return func.sum(case((col(Lot.origin) == int(origin), col(Lot.created)), else_=0))


def goods_totals(session: Session) -> list[GoodsTotals]:
    """Per item: units received in kind and bought, shipped and handed over (one query; lots
    are summed per item first, in one pass, then named)."""
    per_item = (
        select(
            col(Lot.item_id).label("item_id"),
            _created_if(LotOrigin.IN_KIND_GIFT).label("in_kind"),
            _created_if(LotOrigin.PURCHASE).label("purchased"),
            func.sum(col(Lot.shipped)).label("shipped"),
            func.sum(col(Lot.handed_over)).label("handed_over"),
        )
        .group_by(col(Lot.item_id))
        .subquery()
    )
    rows = session.execute(
        select(
            col(Item.item_id),
            col(Item.name),
            col(Item.unit),
            per_item.c.in_kind,
            per_item.c.purchased,
            per_item.c.shipped,
            per_item.c.handed_over,
        )
        .join(per_item, per_item.c.item_id == col(Item.item_id))
        .order_by(col(Item.name), col(Item.item_id))
    ).all()
    return [
        GoodsTotals(
            item_id=i,
            item=n,
            unit=u,
            received_in_kind=int(k),
            received_purchased=int(p),
            shipped=int(s),
            handed_over=int(h),
        )
        for i, n, u, k, p, s, h in rows
    ]


def needs_met(session: Session) -> NeedsMet:
    """Needs posted and met in full, and their units (one query)."""
    met = col(Need.fulfilled) >= col(Need.quantity)
    posted, met_count, needed, handed = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((met, 1), else_=0)), 0),
            func.coalesce(func.sum(col(Need.quantity)), 0),
            func.coalesce(func.sum(col(Need.fulfilled)), 0),
        ).select_from(Need)
    ).one()
    posted, met_count = int(posted), int(met_count)
    return NeedsMet(
        posted=posted,
        met=met_count,
        units_needed=int(needed),
        units_handed_over=int(handed),
        percent=100 * met_count // posted if posted else 0,
    )


def pledge_gaps(session: Session) -> list[PledgeGap]:
    """Per currency: promised, paid, and unpaid (overpayment of one pledge fills no other)."""
    unpaid = case(
        (col(Pledge.amount) > col(Pledge.paid), col(Pledge.amount) - col(Pledge.paid)), else_=0
    )
    rows = session.execute(
        select(
            col(Pledge.currency),
            func.sum(col(Pledge.amount)),
            func.sum(col(Pledge.paid)),
            func.sum(unpaid),
        )
        .group_by(col(Pledge.currency))
        .order_by(col(Pledge.currency))
    ).all()
    return [PledgeGap(currency=c, promised=int(a), paid=int(p), gap=int(g)) for c, a, p, g in rows]


def latest_events(session: Session, limit: int = 10) -> list[EventRef]:
    """The newest `limit` ledger events, newest first (one query on the seq index)."""
    query = (
        select(*EVENT_COLUMNS)
        .select_from(RawEvent)
        .join(Block, col(Block.number) == col(RawEvent.block_number))
        .order_by(col(RawEvent.seq).desc())
        .limit(limit)
    )
    return [event_ref(row) for row in session.execute(query).all()]


def expiring_lots(session: Session, now: int, days: int = 30, limit: int = 20) -> list[ExpiringLot]:
    """Lots with units on hand whose expiry is before `now + days` (expired ones included),
    soonest first."""
    rows = session.execute(
        select(Lot, col(Item.name), col(Site.name))
        .join(Item, col(Item.item_id) == col(Lot.item_id))
        .join(Site, col(Site.site_id) == col(Lot.site_id))
        .where(
            col(Lot.on_hand) > 0,
            col(Lot.expiry) != 0,
            col(Lot.expiry) < now + days * DAY,
        )
        .order_by(col(Lot.expiry), col(Lot.lot_id))
        .limit(limit)
    ).all()
    return [
        ExpiringLot(
            lot_id=lot.lot_id,
            label=label("lot", lot.seq),
            item=item,
            site_id=lot.site_id,
            site=site,
            on_hand=lot.on_hand,
            expiry=lot.expiry,
            expired=lot.expiry <= now,
        )
        for lot, item, site in rows
    ]


def late_shipments(
    session: Session, now: int, days: int = 7, limit: int = 20
) -> list[LateShipment]:
    """Shipments not completed and dispatched more than `days` before `now`, oldest first."""
    origin = Site.__table__.alias("origin")  # type: ignore[attr-defined]
    dest = Site.__table__.alias("dest")  # type: ignore[attr-defined]
    query = with_event(
        select(Shipment, origin.c.name, dest.c.name, *EVENT_COLUMNS)
        .join(origin, origin.c.site_id == col(Shipment.from_site))
        .join(dest, dest.c.site_id == col(Shipment.to_site)),
        col(Shipment.seq),
    ).where(col(Shipment.completed).is_(False), col(Block.timestamp) < now - days * DAY)
    rows = session.execute(query.order_by(col(Shipment.seq)).limit(limit)).all()
    return [
        LateShipment(
            shipment_id=row[0].shipment_id,
            label=label("shipment", row[0].seq),
            from_site=row[1],
            to_site=row[2],
            open_lines=row[0].open_lines,
            dispatched=event_ref(row),
            days=(now - row[-1]) // DAY,
        )
        for row in rows
    ]


def overdue_needs(session: Session, now: int, limit: int = 20) -> list[OverdueNeed]:
    """Open needs with a deadline before `now` and units still to hand over, oldest first."""
    rows = session.execute(
        select(Need, col(Site.name), col(Item.name))
        .join(Site, col(Site.site_id) == col(Need.site_id))
        .join(Item, col(Item.item_id) == col(Need.item_id))
        .where(
            col(Need.open),
            and_(col(Need.deadline) != 0, col(Need.deadline) < now),
            or_(col(Need.fulfilled) < col(Need.quantity)),
        )
        .order_by(col(Need.deadline), col(Need.need_id))
        .limit(limit)
    ).all()
    return [
        OverdueNeed(
            need_id=need.need_id,
            label=label("need", need.seq),
            site=site,
            item=item,
            quantity=need.quantity,
            fulfilled=need.fulfilled,
            deadline=need.deadline,
        )
        for need, site, item in rows
    ]
