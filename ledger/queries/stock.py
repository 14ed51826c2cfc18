"""Stock: what warehouses hold by lot, and what is already on its way to (or at) each site.

A lot is expired when it has an expiry and `expiry <= now` (unix seconds, UTC).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from ledger.chain.types import SiteKind
from ledger.queries.names import label
from ledger.store.models import Item, Lot, Shipment, ShipmentLine, Site


@dataclass(frozen=True)
class StockLot:
    """Units of one lot on hand at a warehouse; `expiry` 0 for none."""

    lot_id: str
    label: str
    seq: int
    item_id: str
    item: str
    site_id: str
    site: str
    region: str
    on_hand: int
    expiry: int

    def expired(self, now: int) -> bool:
        """Whether the lot is past its expiry at `now`."""
        return self.expiry != 0 and self.expiry <= now


@dataclass(frozen=True)
class EnRoute:
    """Units of an item already bound for a site: in transit to it, or on hand there."""

    site_id: str
    item_id: str
    quantity: int


def warehouse_stock(session: Session) -> list[StockLot]:
    """Every lot with units on hand at a warehouse (expired ones too), in `seq` order."""
    rows = session.execute(
        select(Lot, Site, Item)
        .join(Site, col(Site.site_id) == col(Lot.site_id))
        .join(Item, col(Item.item_id) == col(Lot.item_id))
        .where(col(Site.kind) == int(SiteKind.WAREHOUSE), col(Lot.on_hand) > 0)
        .order_by(col(Lot.seq))
    ).all()
    return [
        StockLot(
            lot_id=lot.lot_id,
            label=label("lot", lot.seq),
            seq=lot.seq,
            item_id=item.item_id,
            item=item.name,
            site_id=site.site_id,
            site=site.name,
            region=site.region,
            on_hand=lot.on_hand,
            expiry=lot.expiry,
        )
        for lot, site, item in rows
    ]


def en_route(session: Session, now: int) -> list[EnRoute]:
    """Per (site, item): unexpired units on unsettled shipment lines to it, plus on hand there.

    Only recipient sites are listed: they are where needs are, and what reached one (or is
    travelling to one) serves its needs before anything more is sent.
    """
    fresh = or_(col(Lot.expiry) == 0, col(Lot.expiry) > now)
    recipient = col(Site.kind) == int(SiteKind.RECIPIENT)
    travelling = (
        select(col(Shipment.to_site), col(Lot.item_id), func.sum(col(ShipmentLine.quantity)))
        .select_from(ShipmentLine)
        .join(Shipment, col(Shipment.shipment_id) == col(ShipmentLine.shipment_id))
        .join(Lot, col(Lot.lot_id) == col(ShipmentLine.lot_id))
        .join(Site, col(Site.site_id) == col(Shipment.to_site))
        .where(col(ShipmentLine.settled).is_(False), fresh, recipient)
        .group_by(col(Shipment.to_site), col(Lot.item_id))
    )
    held = (
        select(col(Lot.site_id), col(Lot.item_id), func.sum(col(Lot.on_hand)))
        .select_from(Lot)
        .join(Site, col(Site.site_id) == col(Lot.site_id))
        .where(col(Lot.on_hand) > 0, fresh, recipient)
        .group_by(col(Lot.site_id), col(Lot.item_id))
    )
    totals: dict[tuple[str, str], int] = {}
    for query in (travelling, held):
        for site_id, item_id, quantity in session.execute(query).all():
            key = (site_id, item_id)
            totals[key] = totals.get(key, 0) + int(quantity)
    return [EnRoute(site, item, qty) for (site, item), qty in sorted(totals.items()) if qty > 0]
