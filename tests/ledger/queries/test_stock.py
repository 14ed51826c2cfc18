"""Warehouse stock by lot and what is already on its way to recipient sites, from the mirror."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from ledger.chain.types import DiscrepancyReason, DispatchLine, ReceiptLine
from ledger.queries.stock import EnRoute, en_route, warehouse_stock
from tests.contracts.helpers import fresh, stock
from tests.contracts.world import World
from tests.ledger.queries.conftest import index

EXPIRY = 2_000_000_000  # the expiry `in_kind_input` gives every lot


def dispatch(world: World, lot_id: bytes, quantity: int, to: str = "hospital") -> bytes:
    shipment_id = fresh("shipment")
    world.ledger.dispatch_shipment(
        world.wh_a,
        shipment_id,
        world.sites["wh_a"],
        world.sites[to],
        [DispatchLine(lot_id, quantity)],
    )
    return shipment_id


def test_warehouse_stock_lists_lots_with_units_at_warehouses_only(
    world: World, tmp_path: Path
) -> None:
    near = stock(world, 300)
    far = stock(world, 200, site="wh_b", item="gloves")
    emptied = stock(world, 50)
    dispatch(world, emptied, 50)
    moved = dispatch(world, near, 100)
    world.ledger.receive_shipment(world.hospital, moved, [ReceiptLine(0, 100)])
    with Session(index(world, tmp_path)) as session:
        lots = {lot.lot_id: lot for lot in warehouse_stock(session)}
    assert set(lots) == {"0x" + near.hex(), "0x" + far.hex()}  # not the hospital's receipt lot
    first = lots["0x" + near.hex()]
    assert (first.on_hand, first.site, first.region, first.item) == (200, "wh_a", "CN-HB", "mask")
    assert first.expiry == EXPIRY and first.label == f"L-{first.seq}"
    assert lots["0x" + far.hex()].region == "CN-GD"
    assert not first.expired(EXPIRY - 1) and first.expired(EXPIRY)


def test_en_route_counts_units_in_transit_and_on_hand_at_recipient_sites(
    world: World, tmp_path: Path
) -> None:
    lot_id = stock(world, 1_000)
    dispatch(world, lot_id, 120)  # in transit
    arrived = dispatch(world, lot_id, 80)
    world.ledger.receive_shipment(
        world.hospital, arrived, [ReceiptLine(0, 70, DiscrepancyReason.DAMAGED)]
    )
    dispatch(world, lot_id, 30, to="wh_b")  # to a warehouse: stock, not en route
    dispatch(world, lot_id, 15, to="clinic")
    with Session(index(world, tmp_path)) as session:
        now = en_route(session, now=EXPIRY - 1)
        later = en_route(session, now=EXPIRY)
    mask = "0x" + world.items["mask"].hex()
    assert now == sorted(
        [
            EnRoute("0x" + world.sites["hospital"].hex(), mask, 120 + 70),
            EnRoute("0x" + world.sites["clinic"].hex(), mask, 15),
        ],
        key=lambda e: (e.site_id, e.item_id),
    )
    assert later == []  # expired units serve no need
