"""Open needs from the mirror: outstanding units, site region, item category, unspent money."""

from __future__ import annotations

from pathlib import Path

from eth_abi import encode
from eth_utils import keccak
from sqlmodel import Session

from ledger.chain.ids import label
from ledger.chain.types import BeneficiaryUnit, DispatchLine, ReceiptLine
from ledger.queries.needs import open_needs
from tests.contracts.helpers import allocate, fresh, give, need, stock
from tests.contracts.world import USD, World
from tests.ledger.queries.conftest import index


def hand_over(world: World, need_id: bytes, quantity: int) -> None:
    """Ship masks to the hospital, receive them there and hand them over against `need_id`."""
    lot_id = stock(world, quantity)
    shipment_id = fresh("shipment")
    world.ledger.dispatch_shipment(
        world.wh_a,
        shipment_id,
        world.sites["wh_a"],
        world.sites["hospital"],
        [DispatchLine(lot_id, quantity)],
    )
    world.ledger.receive_shipment(world.hospital, shipment_id, [ReceiptLine(0, quantity)])
    received = keccak(encode(["bytes32", "uint32"], [shipment_id, 0]))  # receiptLotId
    world.ledger.record_hand_over(
        world.hospital, fresh("handover"), received, need_id, quantity, 5, BeneficiaryUnit.PEOPLE
    )


def test_open_needs_carry_outstanding_units_region_and_category(
    world: World, tmp_path: Path
) -> None:
    masks = need(world, 100)
    rice = need(world, 40, site="clinic", item="rice")
    closed = need(world, 10)
    world.ledger.close_need(world.hospital, closed)
    hand_over(world, masks, 30)
    with Session(index(world, tmp_path)) as session:
        found = {n.need_id: n for n in open_needs(session)}
    assert set(found) == {"0x" + masks.hex(), "0x" + rice.hex()}
    first = found["0x" + masks.hex()]
    assert (first.quantity, first.fulfilled, first.outstanding) == (100, 30, 70)
    assert (first.site, first.region, first.item) == ("hospital", "CN-HB", "mask")
    assert first.category == "0x" + label("ppe").hex()
    assert first.label == f"N-{first.seq}" and first.unspent == ()
    assert found["0x" + rice.hex()].region == "CN-GD"


def test_a_fully_handed_over_need_is_not_open(world: World, tmp_path: Path) -> None:
    met = need(world, 20)
    hand_over(world, met, 20)
    with Session(index(world, tmp_path)) as session:
        assert [n for n in open_needs(session) if n.need_id == "0x" + met.hex()] == []


def test_money_allocated_to_a_need_and_not_yet_used_is_listed_by_currency(
    world: World, tmp_path: Path
) -> None:
    target = need(world, 100)
    give(world, 10_000)
    give(world, 5_000, currency=USD)
    allocate(world, 3_000, need_id=target)
    allocate(world, 1_200, need_id=target)
    allocate(world, 700, need_id=target, currency=USD)
    allocate(world, 2_000)  # for no need
    released = allocate(world, 500, need_id=target)
    world.ledger.release_allocation(world.coordinator, released)
    with Session(index(world, tmp_path)) as session:
        (found,) = [n for n in open_needs(session) if n.need_id == "0x" + target.hex()]
    assert found.unspent == (("CNY", 4_200), ("USD", 700))
