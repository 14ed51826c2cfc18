"""A representative mix of writes, so indexer tests see every event kind."""

from __future__ import annotations

from ledger.chain.ids import ZERO32, label
from ledger.chain.types import (
    AdjustmentReason,
    BeneficiaryUnit,
    DiscrepancyReason,
    DispatchLine,
    EarmarkKind,
    ReceiptLine,
)
from tests.contracts.helpers import allocate, fresh, give, need, purchase_input, ship, stock
from tests.contracts.world import CNY, World


def populate(world: World, rounds: int = 1) -> None:
    """Gifts, a pledge, allocations, a purchase, in-kind lots, shipments, hand-overs, adjusts."""
    ledger = world.ledger
    for _ in range(rounds):
        pledge_id = fresh("pledge")
        ledger.record_pledge(
            world.intake, pledge_id, CNY, 3_000, EarmarkKind.NONE, ZERO32, label("d"), 0
        )
        give(world, 1_000, pledge_id=pledge_id)
        give(world, 2_500)
        give(world, 700, kind=EarmarkKind.PURPOSE, earmark=label("masks"))
        allocation_id = allocate(world, 3_000)
        purchase = purchase_input(world, allocation_id, amount=2_000, quantity=400)
        ledger.record_purchase(world.coordinator, purchase)
        ledger.release_allocation(world.coordinator, allocation_id)
        allocate(world, 500, EarmarkKind.PURPOSE, label("masks"), purpose=label("masks"))
        donated = stock(world, 300)
        shipment_id = fresh("shipment")
        ledger.dispatch_shipment(
            world.wh_a,
            shipment_id,
            world.sites["wh_a"],
            world.sites["hospital"],
            [DispatchLine(purchase.lot_id, 150), DispatchLine(donated, 100)],
        )
        ledger.receive_shipment(
            world.hospital,
            shipment_id,
            [ReceiptLine(0, 140, DiscrepancyReason.DAMAGED), ReceiptLine(1, 100)],
        )
        need_id = need(world, 200)
        lot_at_hospital = bytes(ledger.view("supply", "receiptLotId", shipment_id, 0))
        ledger.record_hand_over(
            world.hospital, fresh("h"), lot_at_hospital, need_id, 90, 45, BeneficiaryUnit.PEOPLE
        )
        ledger.record_adjustment(world.wh_a, fresh("adj"), donated, -10, AdjustmentReason.EXPIRED)
        ledger.record_adjustment(
            world.wh_a, fresh("adj"), donated, 4, AdjustmentReason.COUNT_CORRECTION
        )
        lost = ship(world, donated, 20, to="wh_b")
        ledger.receive_shipment(world.wh_b, lost, [ReceiptLine(0, 0, DiscrepancyReason.LOST)])
