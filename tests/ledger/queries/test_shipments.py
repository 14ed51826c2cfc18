"""Shipments and their lines, against the events from eth_getLogs."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session

from ledger.chain.types import DiscrepancyReason
from ledger.queries.pages import BadFilterError, stream
from ledger.queries.position import read_position
from ledger.queries.shipments import list_shipments, shipment
from tests.contracts.world import World
from tests.ledger.queries.indexed import Indexed, build, counted, hexed


@pytest.fixture(scope="module")
def indexed(module_world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexed]:
    yield build(module_world, tmp_path_factory.mktemp("shipments"))


def test_every_shipment_with_its_line_sums_and_status_from_the_events(indexed: Indexed) -> None:
    sums: dict[str, Counter[str]] = defaultdict(Counter)
    for e in indexed.named("ShipmentLineDispatched"):
        sums[hexed(e.args["shipmentId"])]["dispatched"] += e.args["quantity"]
    for e in indexed.named("ShipmentLineReceived"):
        sums[hexed(e.args["shipmentId"])]["received"] += e.args["received"]
        sums[hexed(e.args["shipmentId"])]["declared"] += e.args["declared"]
    completed = {hexed(e.args["shipmentId"]) for e in indexed.named("ShipmentCompleted")}
    dispatched = indexed.named("ShipmentDispatched")[::-1]
    with Session(indexed.engine) as session:
        at = read_position(session)
        with counted(session) as statements:
            first = list_shipments(session, limit=2, at=at)
        listed = list(stream(lambda c: list_shipments(session, cursor=c, limit=2, at=at)))
    assert len(statements) == 2  # the page, then its line sums
    assert first.items == listed[:2]
    assert [s.shipment_id for s in listed] == [hexed(e.args["shipmentId"]) for e in dispatched]
    for s in listed:
        expected = sums[s.shipment_id]
        assert (s.dispatched, s.received, s.declared) == (
            expected["dispatched"],
            expected["received"],
            expected["declared"],
        )
        assert s.status == ("completed" if s.shipment_id in completed else "in_transit")


def test_filters_by_status_site_region_and_item(indexed: Indexed) -> None:
    ends = {
        hexed(e.args["shipmentId"]): (hexed(e.args["fromSite"]), hexed(e.args["toSite"]))
        for e in indexed.named("ShipmentDispatched")
    }
    completed = {hexed(e.args["shipmentId"]) for e in indexed.named("ShipmentCompleted")}
    wh_b, clinic = indexed.hex("wh_b"), indexed.hex("clinic")
    with Session(indexed.engine) as session:
        at = read_position(session)

        def ids(**filters: Any) -> set[str]:
            return {
                s.shipment_id for s in list_shipments(session, limit=100, at=at, **filters).items
            }

        in_transit = ids(status="in_transit")
        at_wh_b = ids(site=wh_b)
        guangdong = ids(region="CN-GD")
        gloves = ids(item=indexed.hex("gloves", "items"))
        with pytest.raises(BadFilterError, match="in_transit or completed"):
            ids(status="lost")
    assert in_transit == set(ends) - completed and in_transit
    assert at_wh_b == {s for s, pair in ends.items() if wh_b in pair} and at_wh_b
    assert guangdong == {s for s, pair in ends.items() if {wh_b, clinic} & set(pair)}
    assert gloves == {s for s, pair in ends.items() if pair == (wh_b, clinic)} and gloves


def test_a_shipment_shows_each_line_received_and_declared_with_its_reason(
    indexed: Indexed,
) -> None:
    first = hexed(indexed.named("ShipmentDispatched")[0].args["shipmentId"])
    received = {
        (hexed(e.args["shipmentId"]), e.args["lineIndex"]): e.args
        for e in indexed.named("ShipmentLineReceived")
    }
    lost = next(a for a in received.values() if a["reason"] == DiscrepancyReason.LOST)
    with Session(indexed.engine) as session:
        at = read_position(session)
        with counted(session) as statements:
            result = shipment(session, first, at=at)
        gone = shipment(session, hexed(lost["shipmentId"]), at=at)
        assert shipment(session, "0x" + "00" * 32, at=at) is None
    assert result is not None and gone is not None and len(statements) == 2
    lines = result.data.lines
    assert [(x.quantity, x.received, x.declared, x.reason) for x in lines] == [
        (150, 140, 10, "damaged"),
        (100, 100, 0, None),
    ]
    assert [x.receipt_lot_id for x in lines] == [
        hexed(received[(first, i)]["lotId"]) for i in (0, 1)
    ]
    assert all(x.settled and x.receipt_lot_label and x.item == "mask" for x in lines)
    assert (result.data.shipment.from_site, result.data.shipment.to_site) == ("wh_a", "hospital")
    (line,) = gone.data.lines
    assert (line.received, line.declared, line.reason, line.receipt_lot_id) == (0, 20, "lost", None)
