"""`trace`: what a gift became, from the mirror, on the worked example of docs/attribution.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_utils import keccak
from sqlmodel import Session

from ledger.chain.ids import label
from ledger.chain.types import AdjustmentReason, DiscrepancyReason, DispatchLine, ReceiptLine
from ledger.queries.sentences import Code, Sentence, english
from ledger.queries.trace import GiftNotFoundError, Trace, trace
from ledger.write.commands import (
    Adjust,
    AllocateFunds,
    DispatchShipment,
    HandOver,
    PostNeed,
    ReceiveShipment,
    RecordGift,
    RecordInKindGift,
    RecordPurchase,
)
from ledger.write.receipts import ReceiptCode
from ledger.write.service import WriteService
from tests.contracts.world import CNY, World
from tests.ledger.queries.conftest import index
from tests.portal.scenario import DAMAGED_LINE


def money(service: WriteService, world: World, source: str, amount: int) -> ReceiptCode:
    code = ReceiptCode.new()
    gift = RecordGift(source, CNY, amount, code.commitment, keccak(text=source))
    service.submit(world.intake, gift)
    return code


def worked_example(world: World) -> tuple[ReceiptCode, ReceiptCode, ReceiptCode]:
    """docs/attribution.md's goods example: G3 ¥1,500 and G4 ¥500, 1,000 masks bought for
    ¥1,600, 950 shipped, 940 received (10 damaged), 500 handed over, 5 expired; plus an
    in-kind gift of 200 pairs of gloves."""
    service = WriteService(world.ledger)
    g3 = money(service, world, "bank:G3", 150_000)
    g4 = money(service, world, "bank:G4", 50_000)
    allocation = AllocateFunds("alloc:A4", CNY, 200_000)
    service.submit(world.coordinator, allocation)
    bought = RecordPurchase(
        "invoice:P2",
        allocation.record_id,
        world.orgs["supplier"],
        160_000,
        label("invoice P2"),
        world.items["mask"],
        world.sites["wh_a"],
        1_000,
    )
    service.submit(world.coordinator, bought)
    shipment = DispatchShipment(
        "waybill:S",
        world.sites["wh_a"],
        world.sites["hospital"],
        (DispatchLine(bought.lot_id, 950),),
    )
    service.submit(world.wh_a, shipment)
    received = ReceiveShipment(
        "receipt:S", shipment.record_id, (ReceiptLine(0, 940, DiscrepancyReason.DAMAGED),)
    )
    service.submit(world.hospital, received)
    receipt_lot = bytes(world.ledger.view("supply", "receiptLotId", shipment.record_id, 0))
    need = PostNeed("form:need", world.sites["hospital"], world.items["mask"], 600)
    service.submit(world.hospital, need)
    service.submit(world.hospital, HandOver("handover:H1", receipt_lot, need.record_id, 500, 250))
    service.submit(world.wh_a, Adjust("count:L2", bought.lot_id, -5, AdjustmentReason.EXPIRED))
    gloves = ReceiptCode.new()
    in_kind = RecordInKindGift(
        "note:gloves",
        world.items["gloves"],
        world.sites["wh_b"],
        200,
        gloves.commitment,
        keccak(text="delivery note"),
    )
    service.submit(world.intake, in_kind)
    return g3, g4, gloves


@pytest.fixture
def traced(world: World, tmp_path: Path) -> tuple[Session, tuple[ReceiptCode, ...]]:
    codes = worked_example(world)
    return Session(index(world, tmp_path)), codes


def test_money_gift_traced_to_allocation_purchase_lots_shipment_and_hand_over(
    traced: tuple[Session, tuple[ReceiptCode, ...]],
) -> None:
    session, (g3, _, _) = traced
    found = trace(session, ReceiptCode.parse(str(g3)).commitment)
    assert isinstance(found, Trace)
    assert (found.gift.kind, found.gift.currency, found.gift.amount) == ("money", "CNY", 150_000)
    assert found.gift.unallocated == 0 and found.gift.at.tx_hash.startswith("0x")
    assert [(a.amount, a.share, a.unspent) for a in found.allocations] == [(200_000, 150_000, 0)]
    assert [(p.amount, p.share) for p in found.purchases] == [(160_000, 150_000)]
    lots = [(lot.origin, lot.item, lot.site, lot.units, lot.remaining) for lot in found.lots]
    assert lots == [("purchase", "mask", "wh_a", 938, 0), ("receipt", "mask", "hospital", 938, 438)]
    assert found.purchases[0].lot == found.lots[0].label
    flows = [(f.kind, f.units) for f in found.flows]
    assert flows == [("shipment", 938), ("hand-over", 500)]
    shipped, handed = found.flows[0].detail, found.flows[1].detail
    assert shipped == DAMAGED_LINE
    assert english(shipped) == "line 0 from wh_a to hospital, 940 of 950 received (10 damaged)"
    assert handed.kind == "hand_over_for_need"
    assert handed.values["unit"] == Code("beneficiary_unit", "people")
    assert (handed.values["quantity"], handed.values["beneficiaries"]) == (500, 250)
    assert english(handed) == f"500 units to 250 people for need {handed.values['need']}"
    assert str(handed.values["need"]).startswith("N-")
    seqs = [found.gift.at.seq, found.allocations[0].at.seq, found.purchases[0].at.seq]
    assert seqs == sorted(seqs)
    assert all(lot.at.block_number > 0 for lot in found.lots)
    assert found.flows[0].at.seq < found.flows[1].at.seq


def test_second_gift_holds_the_remainder_and_the_write_off(
    traced: tuple[Session, tuple[ReceiptCode, ...]],
) -> None:
    session, (_, g4, _) = traced
    found = trace(session, g4.commitment)
    assert [(lot.units, lot.remaining) for lot in found.lots] == [(62, 45), (2, 2)]
    assert [(f.kind, f.units) for f in found.flows] == [("shipment", 12), ("adjustment", 5)]
    assert found.flows[1].detail == Sentence(
        "written_off", {"reason": Code("adjustment_reason", "expired")}
    )
    assert english(found.flows[1].detail) == "reason: expired"


def test_in_kind_gift_traced_from_its_lot(
    traced: tuple[Session, tuple[ReceiptCode, ...]],
) -> None:
    session, (_, _, gloves) = traced
    found = trace(session, gloves.commitment)
    assert (found.gift.kind, found.gift.amount, found.gift.currency) == ("in_kind", 200, None)
    assert found.gift.lot == found.lots[0].label
    assert [(lot.origin, lot.item, lot.units) for lot in found.lots] == [("in_kind", "gloves", 200)]
    assert not found.allocations and not found.purchases and not found.flows


def test_unknown_code_says_not_found_yet_and_where_the_mirror_is(
    traced: tuple[Session, tuple[ReceiptCode, ...]],
) -> None:
    session, _ = traced
    with pytest.raises(GiftNotFoundError, match=r"not found \(yet\).*mirror is at block \d"):
        trace(session, ReceiptCode.new().commitment)
