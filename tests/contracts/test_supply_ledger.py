"""SupplyLedger: lots, purchases, needs, shipments, receipts, hand-overs and adjustments."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ledger.chain.ids import ZERO32, derive_id
from ledger.chain.types import (
    AdjustmentReason,
    BeneficiaryUnit,
    DiscrepancyReason,
    DispatchLine,
    LotOrigin,
    ReceiptLine,
)
from ledger.errors import (
    DuplicateIdError,
    InsufficientError,
    InvalidInputError,
    NotFoundError,
    UnauthorizedError,
)
from tests.contracts.helpers import (
    allocate,
    events,
    fresh,
    give,
    head,
    in_kind_input,
    need,
    purchase_input,
    ship,
    stock,
)
from tests.contracts.world import World

MIN_INT128 = -(2**127)


def on_hand(world: World, lot_id: bytes) -> int:
    return world.ledger.lot(lot_id)[2]


# ------------------------------------------------------------------ in-kind gifts


def test_in_kind_gift_creates_lot_in_warehouse(world: World) -> None:
    gift = in_kind_input(world, 700)
    receipt = world.ledger.record_in_kind_gift(world.intake, gift)
    gift_event, lot_event = events(world, receipt)
    assert gift_event.name == "InKindGiftRecorded" and gift_event.args["lotId"] == gift.lot_id
    assert lot_event.name == "LotCreated"
    assert (
        lot_event.args["origin"] == LotOrigin.IN_KIND_GIFT
        and lot_event.args["originId"] == gift.gift_id
    )
    assert world.ledger.lot(gift.lot_id) == (world.items["mask"], world.sites["wh_a"], 700)


@pytest.mark.parametrize(
    ("field", "error"),
    [
        ("recipient_site", "SupplyLedgerInvalidSite"),
        ("unknown_site", "SupplyLedgerInvalidSite"),
        ("unknown_item", "SupplyLedgerUnknownItem"),
        ("zero_quantity", "SupplyLedgerZeroQuantity"),
        ("no_commitment", "SupplyLedgerMissingDonorCommitment"),
        ("zero_gift", "SupplyLedgerZeroId"),
        ("zero_lot", "SupplyLedgerZeroId"),
    ],
)
def test_in_kind_gift_reverts_on_bad_input(world: World, field: str, error: str) -> None:
    base = in_kind_input(world)
    bad = {
        "recipient_site": replace(base, site_id=world.sites["hospital"]),
        "unknown_site": replace(base, site_id=derive_id("site", "?")),
        "unknown_item": replace(base, item_id=derive_id("item", "?")),
        "zero_quantity": replace(base, quantity=0),
        "no_commitment": replace(base, donor_commitment=ZERO32),
        "zero_gift": replace(base, gift_id=ZERO32),
        "zero_lot": replace(base, lot_id=ZERO32),
    }[field]
    before = head(world)
    with pytest.raises((InvalidInputError, NotFoundError)) as info:
        world.ledger.record_in_kind_gift(world.intake, bad)
    assert info.value.error == error
    assert head(world) == before


def test_in_kind_gift_duplicates_and_role(world: World) -> None:
    gift = in_kind_input(world)
    world.ledger.record_in_kind_gift(world.intake, gift)
    with pytest.raises(DuplicateIdError):
        world.ledger.record_in_kind_gift(world.intake, gift)
    with pytest.raises(DuplicateIdError) as info:
        world.ledger.record_in_kind_gift(
            world.intake, replace(in_kind_input(world), lot_id=gift.lot_id)
        )
    assert info.value.error_args == {"id": gift.lot_id}
    with pytest.raises(UnauthorizedError):
        world.ledger.record_in_kind_gift(world.wh_a, in_kind_input(world))


def test_in_kind_batch_is_all_or_nothing(world: World) -> None:
    gifts = [in_kind_input(world, 10 + i) for i in range(4)]
    world.ledger.record_in_kind_gifts(world.intake, gifts)
    assert [on_hand(world, g.lot_id) for g in gifts] == [10, 11, 12, 13]
    before = head(world)
    fresh_gift = in_kind_input(world)
    with pytest.raises(DuplicateIdError):
        world.ledger.record_in_kind_gifts(world.intake, [fresh_gift, gifts[0]])
    assert head(world) == before and world.ledger.lot(fresh_gift.lot_id)[2] == 0
    with pytest.raises(InvalidInputError, match="SupplyLedgerEmptyBatch"):
        world.ledger.record_in_kind_gifts(world.intake, [])


# ------------------------------------------------------------------ purchases


def test_purchase_spends_allocation_and_creates_lot(world: World) -> None:
    give(world, 10_000)
    allocation_id = allocate(world, 5_000)
    purchase = purchase_input(world, allocation_id, amount=3_000, quantity=1_500)
    receipt = world.ledger.record_purchase(world.coordinator, purchase)
    assert [e.name for e in events(world, receipt)] == [
        "AllocationSpent",
        "PurchaseRecorded",
        "LotCreated",
    ]
    assert on_hand(world, purchase.lot_id) == 1_500
    assert world.ledger.view("fund", "allocation", allocation_id)[2] == 3_000


def test_purchase_reverts(world: World) -> None:
    give(world, 10_000)
    allocation_id = allocate(world, 1_000)
    base = purchase_input(world, allocation_id)
    cases: list[tuple[object, type[Exception], str]] = [
        (replace(base, amount=1_001), InsufficientError, "FundLedgerInsufficientAllocation"),
        (replace(base, allocation_id=fresh("a")), NotFoundError, "FundLedgerUnknownAllocation"),
        (replace(base, supplier_id=fresh("org")), NotFoundError, "SupplyLedgerUnknownSupplier"),
        (replace(base, item_id=fresh("item")), NotFoundError, "SupplyLedgerUnknownItem"),
        (replace(base, site_id=fresh("site")), InvalidInputError, "SupplyLedgerInvalidSite"),
        (replace(base, quantity=0), InvalidInputError, "SupplyLedgerZeroQuantity"),
        (replace(base, purchase_id=ZERO32), InvalidInputError, "SupplyLedgerZeroId"),
    ]
    before = head(world)
    for purchase, kind, error in cases:
        with pytest.raises(kind) as info:
            world.ledger.record_purchase(world.coordinator, purchase)  # type: ignore[arg-type]
        assert info.value.error == error  # type: ignore[attr-defined]
    assert head(world) == before
    with pytest.raises(UnauthorizedError):
        world.ledger.record_purchase(world.intake, base)
    world.ledger.record_purchase(world.coordinator, base)
    with pytest.raises(DuplicateIdError):
        world.ledger.record_purchase(world.coordinator, base)


# ------------------------------------------------------------------ needs


def test_post_and_close_need(world: World) -> None:
    need_id = need(world, 50)
    assert world.ledger.view("supply", "need", need_id)[2:] == [50, 0, True]
    receipt = world.ledger.close_need(world.coordinator, need_id)
    assert events(world, receipt)[0].name == "NeedClosed"
    with pytest.raises(InvalidInputError, match="SupplyLedgerNeedClosed"):
        world.ledger.close_need(world.hospital, need_id)
    with pytest.raises(NotFoundError):
        world.ledger.close_need(world.hospital, fresh("need"))


def test_post_need_reverts(world: World) -> None:
    site, item = world.sites["hospital"], world.items["mask"]
    post = world.ledger.post_need
    with pytest.raises(UnauthorizedError):
        post(world.wh_a, fresh("n"), site, item, 1, 0, 0)
    with pytest.raises(InvalidInputError, match="SupplyLedgerInvalidSite"):
        post(world.coordinator, fresh("n"), world.sites["wh_a"], item, 1, 0, 0)
    with pytest.raises(NotFoundError, match="SupplyLedgerUnknownItem"):
        post(world.hospital, fresh("n"), site, fresh("item"), 1, 0, 0)
    with pytest.raises(InvalidInputError, match="SupplyLedgerZeroQuantity"):
        post(world.hospital, fresh("n"), site, item, 0, 0, 0)
    with pytest.raises(InvalidInputError, match="SupplyLedgerInvalidPriority"):
        post(world.hospital, fresh("n"), site, item, 1, 4, 0)
    with pytest.raises(InvalidInputError, match="SupplyLedgerDeadlinePassed"):
        post(world.hospital, fresh("n"), site, item, 1, 0, 1)
    need_id = need(world)
    with pytest.raises(DuplicateIdError):
        post(world.hospital, need_id, site, item, 1, 0, 0)
    with pytest.raises(UnauthorizedError):
        world.ledger.close_need(world.wh_a, need_id)


# ------------------------------------------------------------------ shipments


def test_dispatch_and_full_receipt(world: World) -> None:
    lot_id = stock(world, 1_000)
    shipment_id = ship(world, lot_id, 400)
    assert on_hand(world, lot_id) == 600
    receipt = world.ledger.receive_shipment(world.hospital, shipment_id, [ReceiptLine(0, 400)])
    names = [e.name for e in events(world, receipt)]
    assert names == ["ShipmentLineReceived", "LotCreated", "ShipmentCompleted"]
    new_lot = world.ledger.view("supply", "receiptLotId", shipment_id, 0)
    assert world.ledger.lot(bytes(new_lot)) == (world.items["mask"], world.sites["hospital"], 400)
    assert world.ledger.view("supply", "shipment", shipment_id)[2:] == [1, 0]


def test_partial_receipt_needs_a_reason(world: World) -> None:
    lot_id = stock(world, 100)
    shipment_id = ship(world, lot_id, 100)
    with pytest.raises(InvalidInputError) as info:
        world.ledger.receive_shipment(world.hospital, shipment_id, [ReceiptLine(0, 90)])
    assert (
        info.value.error == "SupplyLedgerMissingReason" and info.value.error_args["declared"] == 10
    )
    receipt = world.ledger.receive_shipment(
        world.hospital, shipment_id, [ReceiptLine(0, 90, DiscrepancyReason.DAMAGED)]
    )
    line_event = events(world, receipt)[0]
    assert (line_event.args["received"], line_event.args["declared"]) == (90, 10)
    assert line_event.args["reason"] == DiscrepancyReason.DAMAGED


def test_receipt_of_nothing_declares_the_whole_line_lost(world: World) -> None:
    shipment_id = ship(world, stock(world, 100), 100)
    receipt = world.ledger.receive_shipment(
        world.hospital, shipment_id, [ReceiptLine(0, 0, DiscrepancyReason.LOST)]
    )
    assert [e.name for e in events(world, receipt)] == ["ShipmentLineReceived", "ShipmentCompleted"]
    assert events(world, receipt)[0].args["lotId"] == ZERO32


def test_receive_reverts(world: World) -> None:
    lot_id = stock(world, 100)
    shipment_id = ship(world, lot_id, 50)
    receive = world.ledger.receive_shipment
    with pytest.raises(InsufficientError) as info:
        receive(world.hospital, shipment_id, [ReceiptLine(0, 51)])
    assert info.value.error_args == {
        "shipmentId": shipment_id,
        "lineIndex": 0,
        "shipped": 50,
        "received": 51,
    }
    with pytest.raises(InvalidInputError, match="SupplyLedgerUnexpectedReason"):
        receive(world.hospital, shipment_id, [ReceiptLine(0, 50, DiscrepancyReason.SHORT)])
    with pytest.raises(NotFoundError, match="SupplyLedgerUnknownLine"):
        receive(world.hospital, shipment_id, [ReceiptLine(1, 1)])
    with pytest.raises(NotFoundError, match="SupplyLedgerUnknownShipment"):
        receive(world.hospital, fresh("s"), [ReceiptLine(0, 1)])
    with pytest.raises(UnauthorizedError):
        receive(world.wh_a, shipment_id, [ReceiptLine(0, 50)])
    with pytest.raises(InvalidInputError, match="SupplyLedgerEmptyBatch"):
        receive(world.hospital, shipment_id, [])
    receive(world.hospital, shipment_id, [ReceiptLine(0, 50)])
    with pytest.raises(InvalidInputError, match="SupplyLedgerLineSettled"):
        receive(world.hospital, shipment_id, [ReceiptLine(0, 50)])


def test_multi_line_shipment_received_in_two_steps(world: World) -> None:
    a, b = stock(world, 100), stock(world, 100, item="gloves")
    shipment_id = fresh("s")
    lines = [DispatchLine(a, 30), DispatchLine(b, 40)]
    world.ledger.dispatch_shipment(
        world.wh_a, shipment_id, world.sites["wh_a"], world.sites["wh_b"], lines
    )
    first = world.ledger.receive_shipment(world.wh_b, shipment_id, [ReceiptLine(1, 40)])
    assert "ShipmentCompleted" not in [e.name for e in events(world, first)]
    second = world.ledger.receive_shipment(
        world.wh_b, shipment_id, [ReceiptLine(0, 25, DiscrepancyReason.SHORT)]
    )
    assert events(world, second)[-1].name == "ShipmentCompleted"


def test_dispatch_reverts(world: World) -> None:
    lot_id = stock(world, 100)
    b_lot = stock(world, 100, site="wh_b")
    sites = world.sites
    dispatch = world.ledger.dispatch_shipment
    before = head(world)
    with pytest.raises(UnauthorizedError):
        dispatch(
            world.wh_b, fresh("s"), sites["wh_a"], sites["hospital"], [DispatchLine(lot_id, 1)]
        )
    with pytest.raises(InvalidInputError, match="SupplyLedgerSameSite"):
        dispatch(world.wh_a, fresh("s"), sites["wh_a"], sites["wh_a"], [DispatchLine(lot_id, 1)])
    with pytest.raises(InvalidInputError, match="SupplyLedgerInvalidSite"):
        dispatch(world.wh_a, fresh("s"), sites["wh_a"], fresh("site"), [DispatchLine(lot_id, 1)])
    with pytest.raises(InvalidInputError, match="SupplyLedgerEmptyBatch"):
        dispatch(world.wh_a, fresh("s"), sites["wh_a"], sites["hospital"], [])
    with pytest.raises(InvalidInputError, match="SupplyLedgerLotNotAtSite"):
        dispatch(world.wh_a, fresh("s"), sites["wh_a"], sites["hospital"], [DispatchLine(b_lot, 1)])
    with pytest.raises(InsufficientError) as info:
        dispatch(
            world.wh_a,
            fresh("s"),
            sites["wh_a"],
            sites["hospital"],
            [DispatchLine(lot_id, 60), DispatchLine(lot_id, 41)],
        )
    assert info.value.error_args == {"lotId": lot_id, "available": 40, "requested": 41}
    with pytest.raises(InvalidInputError, match="SupplyLedgerZeroQuantity"):
        dispatch(
            world.wh_a, fresh("s"), sites["wh_a"], sites["hospital"], [DispatchLine(lot_id, 0)]
        )
    with pytest.raises(NotFoundError, match="SupplyLedgerUnknownLot"):
        dispatch(
            world.wh_a,
            fresh("s"),
            sites["wh_a"],
            sites["hospital"],
            [DispatchLine(fresh("lot"), 1)],
        )
    assert head(world) == before and on_hand(world, lot_id) == 100
    shipment_id = ship(world, lot_id, 1)
    with pytest.raises(DuplicateIdError):
        dispatch(
            world.wh_a, shipment_id, sites["wh_a"], sites["hospital"], [DispatchLine(lot_id, 1)]
        )


# ------------------------------------------------------------------ hand-overs


def _stock_at_hospital(world: World, quantity: int = 100, item: str = "mask") -> bytes:
    shipment_id = ship(world, stock(world, quantity, item=item), quantity)
    world.ledger.receive_shipment(world.hospital, shipment_id, [ReceiptLine(0, quantity)])
    return bytes(world.ledger.view("supply", "receiptLotId", shipment_id, 0))


def test_hand_over_fulfils_need_and_closes_it(world: World) -> None:
    lot_id = _stock_at_hospital(world)
    need_id = need(world, 60)
    world.ledger.record_hand_over(
        world.hospital, fresh("h"), lot_id, need_id, 40, 40, BeneficiaryUnit.PEOPLE
    )
    receipt = world.ledger.record_hand_over(
        world.hospital, fresh("h"), lot_id, need_id, 20, 5, BeneficiaryUnit.HOUSEHOLDS
    )
    assert [e.name for e in events(world, receipt)] == ["HandedOver", "NeedClosed"]
    assert on_hand(world, lot_id) == 40
    assert world.ledger.view("supply", "need", need_id)[2:] == [60, 60, False]


def test_hand_over_reverts(world: World) -> None:
    lot_id = _stock_at_hospital(world, 100)
    need_id = need(world, 500)
    small_need = need(world, 5)
    rice_need = need(world, 5, item="rice")
    hand = world.ledger.record_hand_over
    people = BeneficiaryUnit.PEOPLE
    with pytest.raises(UnauthorizedError):
        hand(world.wh_a, fresh("h"), lot_id, need_id, 1, 1, people)
    with pytest.raises(InvalidInputError, match="SupplyLedgerInvalidSite"):
        hand(world.wh_a, fresh("h"), stock(world), need_id, 1, 1, people)
    with pytest.raises(InvalidInputError, match="SupplyLedgerInvalidUnit"):
        hand(world.hospital, fresh("h"), lot_id, need_id, 1, 1, BeneficiaryUnit.NONE)
    with pytest.raises(NotFoundError, match="SupplyLedgerUnknownNeed"):
        hand(world.hospital, fresh("h"), lot_id, fresh("n"), 1, 1, people)
    with pytest.raises(InvalidInputError, match="SupplyLedgerNeedMismatch"):
        hand(world.hospital, fresh("h"), lot_id, rice_need, 1, 1, people)
    with pytest.raises(InsufficientError, match="SupplyLedgerNeedExceeded"):
        hand(world.hospital, fresh("h"), lot_id, small_need, 6, 1, people)
    with pytest.raises(InsufficientError, match="SupplyLedgerInsufficientStock"):
        hand(world.hospital, fresh("h"), lot_id, need_id, 101, 1, people)
    with pytest.raises(NotFoundError, match="SupplyLedgerUnknownLot"):
        hand(world.hospital, fresh("h"), fresh("lot"), need_id, 1, 1, people)
    world.ledger.close_need(world.hospital, small_need)
    with pytest.raises(InvalidInputError, match="SupplyLedgerNeedClosed"):
        hand(world.hospital, fresh("h"), lot_id, small_need, 1, 1, people)
    hand_id = fresh("h")
    hand(world.hospital, hand_id, lot_id, need_id, 1, 1, people)
    with pytest.raises(DuplicateIdError):
        hand(world.hospital, hand_id, lot_id, need_id, 1, 1, people)


# ------------------------------------------------------------------ adjustments


def test_adjustments_remove_or_correct_stock(world: World) -> None:
    lot_id = stock(world, 100)
    world.ledger.record_adjustment(world.wh_a, fresh("adj"), lot_id, -10, AdjustmentReason.EXPIRED)
    world.ledger.record_adjustment(world.wh_a, fresh("adj"), lot_id, -5, AdjustmentReason.DAMAGED)
    receipt = world.ledger.record_adjustment(
        world.wh_a, fresh("adj"), lot_id, 3, AdjustmentReason.COUNT_CORRECTION
    )
    assert events(world, receipt)[0].args["delta"] == 3
    assert on_hand(world, lot_id) == 88


def test_adjustment_reverts(world: World) -> None:
    lot_id = stock(world, 100)
    adjust = world.ledger.record_adjustment
    with pytest.raises(UnauthorizedError):
        adjust(world.wh_b, fresh("adj"), lot_id, -1, AdjustmentReason.DAMAGED)
    with pytest.raises(InvalidInputError, match="SupplyLedgerInvalidReason"):
        adjust(world.wh_a, fresh("adj"), lot_id, -1, AdjustmentReason.NONE)
    with pytest.raises(InvalidInputError, match="SupplyLedgerInvalidAdjustment"):
        adjust(world.wh_a, fresh("adj"), lot_id, 5, AdjustmentReason.EXPIRED)
    with pytest.raises(InvalidInputError, match="SupplyLedgerInvalidAdjustment"):
        adjust(world.wh_a, fresh("adj"), lot_id, 0, AdjustmentReason.COUNT_CORRECTION)
    with pytest.raises(InvalidInputError, match="SupplyLedgerQuantityTooLarge"):
        adjust(world.wh_a, fresh("adj"), lot_id, MIN_INT128, AdjustmentReason.DAMAGED)
    with pytest.raises(InsufficientError, match="SupplyLedgerInsufficientStock"):
        adjust(world.wh_a, fresh("adj"), lot_id, -101, AdjustmentReason.DAMAGED)
    with pytest.raises(NotFoundError):
        adjust(world.wh_a, fresh("adj"), fresh("lot"), -1, AdjustmentReason.DAMAGED)
    adj_id = fresh("adj")
    adjust(world.wh_a, adj_id, lot_id, -1, AdjustmentReason.DAMAGED)
    with pytest.raises(DuplicateIdError):
        adjust(world.wh_a, adj_id, lot_id, -1, AdjustmentReason.DAMAGED)
