"""The running demo's trickle: each tick a new gift, and shipments received on the next tick."""

from __future__ import annotations

import random

from sqlalchemy import func, select
from sqlmodel import col

from ledger.demo.trickle import Trickle
from ledger.store.models import Gift, Shipment, ShipmentLine
from tests.ledger.demo.conftest import Seeded


def test_ticks_record_gifts_and_ship_and_receive(seeded: Seeded) -> None:
    seeder = seeded.seeder
    seeder.index()
    with seeder.session() as session:
        gifts_before = session.execute(select(func.count()).select_from(Gift)).scalar_one()
    trickle = Trickle(seeder, ship_every=1, rng=random.Random(5))
    trickle.tick()  # a gift and a shipment
    shipped = [s.record_id for s in trickle.pending]
    trickle.tick()  # a gift, the first shipment received, another shipped
    seeder.index()
    with seeder.session() as session:
        gifts_after = session.execute(select(func.count()).select_from(Gift)).scalar_one()
        first = "0x" + shipped[0].hex()
        assert session.get(Shipment, first) is not None
        lines = session.execute(
            select(ShipmentLine).where(col(ShipmentLine.shipment_id) == first)
        ).scalars()
        assert all(line.settled and line.received == line.quantity for line in lines)
    assert gifts_after == gifts_before + 2
    assert len(shipped) == 1
    trickle.receive()  # leave nothing in transit for the package's other tests


def test_a_new_trickle_receives_what_an_earlier_one_left_in_transit(seeded: Seeded) -> None:
    seeder = seeded.seeder
    seeder.index()
    earlier = Trickle(seeder, ship_every=1, rng=random.Random(6))
    earlier.tick()  # ships, and stops before the next tick would receive it
    assert earlier.pending
    seeder.index()
    Trickle(seeder, ship_every=1000).tick()
    seeder.index()
    with seeder.session() as session:
        open_lines = session.execute(
            select(func.count())
            .select_from(ShipmentLine)
            .where(col(ShipmentLine.settled).is_(False))
        ).scalar_one()
    assert open_lines == 0
    earlier.pending.clear()  # received by the new trickle
