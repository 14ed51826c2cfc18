"""Every write that has no meaning is refused with its own error and values, and changes nothing.

One case per refusal: zero amounts and quantities, values above the 2^63 - 1 cap (amounts,
quantities and the running totals the contracts keep), out-of-range enum codes, and the other
meaningless writes listed in docs/contracts.md ("What the contracts refuse").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, cast

import pytest

from ledger.chain.bindings import MAX_VALUE
from ledger.chain.ids import ZERO32, label
from ledger.chain.types import (
    AdjustmentReason,
    BeneficiaryUnit,
    DiscrepancyReason,
    DispatchLine,
    EarmarkKind,
    OrgKind,
    ReceiptLine,
    SiteKind,
)
from ledger.errors import ContractRevertError, InvalidInputError
from tests.contracts.helpers import (
    allocate,
    fresh,
    gift_input,
    give,
    head,
    in_kind_input,
    need,
    purchase_input,
    ship,
    stock,
)
from tests.contracts.world import CNY, World

TOO_LARGE = MAX_VALUE + 1
PEOPLE = BeneficiaryUnit.PEOPLE


@dataclass(frozen=True)
class Case:
    """A refused write, the error it must raise and the state it must leave alone."""

    write: Callable[[], object]
    error: str
    args: dict[str, object]
    state: Callable[[], object]


CASES: dict[str, Callable[[World], Case]] = {}


def case(fn: Callable[[World], Case]) -> Callable[[World], Case]:
    CASES[fn.__name__] = fn
    return fn


def _pool(world: World, kind: EarmarkKind = EarmarkKind.NONE, earmark: bytes = ZERO32) -> bytes:
    return world.ledger.pool_id(CNY, kind, earmark)


def _pool_state(world: World) -> Callable[[], object]:
    return lambda: world.ledger.pool(_pool(world))


def _lot_state(world: World, lot_id: bytes) -> Callable[[], object]:
    return lambda: world.ledger.lot(lot_id)


def _at_hospital(world: World, quantity: int) -> bytes:
    shipment_id = ship(world, stock(world, quantity), quantity)
    world.ledger.receive_shipment(world.hospital, shipment_id, [ReceiptLine(0, quantity)])
    return bytes(world.ledger.view("supply", "receiptLotId", shipment_id, 0))


def _hand_over(world: World, quantity: int, beneficiaries: int = 1, unit: int = PEOPLE) -> Case:
    lot_id, need_id = _at_hospital(world, 10), need(world, 10)
    return Case(
        lambda: world.ledger.record_hand_over(
            world.hospital,
            fresh("h"),
            lot_id,
            need_id,
            quantity,
            beneficiaries,
            cast(BeneficiaryUnit, unit),
        ),
        "",
        {},
        lambda: (world.ledger.lot(lot_id), world.ledger.view("supply", "need", need_id)),
    )


def _adjust(world: World, delta: int, reason: int, lot_quantity: int = 100) -> Case:
    lot_id = stock(world, lot_quantity)
    return Case(
        lambda: world.ledger.record_adjustment(
            world.wh_a, fresh("adj"), lot_id, delta, cast(AdjustmentReason, reason)
        ),
        "",
        {"lotId": lot_id},
        _lot_state(world, lot_id),
    )


# ------------------------------------------------------------------ money


@case
def gift_amount_zero(world: World) -> Case:
    return Case(
        lambda: world.ledger.record_gift(world.intake, gift_input(0)),
        "FundLedgerZeroAmount",
        {},
        _pool_state(world),
    )


@case
def gift_amount_above_cap(world: World) -> Case:
    return Case(
        lambda: world.ledger.record_gift(world.intake, gift_input(TOO_LARGE)),
        "FundLedgerAmountTooLarge",
        {"amount": TOO_LARGE, "max": MAX_VALUE},
        _pool_state(world),
    )


@case
def gift_pool_received_above_cap(world: World) -> Case:
    give(world, MAX_VALUE)
    return Case(
        lambda: world.ledger.record_gift(world.intake, gift_input(1)),
        "FundLedgerTotalTooLarge",
        {"id": _pool(world), "total": MAX_VALUE, "amount": 1, "max": MAX_VALUE},
        _pool_state(world),
    )


@case
def gift_earmark_kind_out_of_range(world: World) -> Case:
    gift = replace(gift_input(1, earmark=label("x")), earmark_kind=cast(EarmarkKind, 4))
    return Case(
        lambda: world.ledger.record_gift(world.intake, gift),
        "FundLedgerInvalidEarmarkKind",
        {"kind": 4},
        _pool_state(world),
    )


@case
def gift_batch_with_one_zero_amount(world: World) -> Case:
    gifts = [gift_input(5), gift_input(0)]
    return Case(
        lambda: world.ledger.record_gifts(world.intake, gifts),
        "FundLedgerZeroAmount",
        {},
        _pool_state(world),
    )


def _pledge(world: World, amount: int, kind: int = EarmarkKind.NONE) -> Callable[[], object]:
    return lambda: world.ledger.record_pledge(
        world.intake,
        fresh("pledge"),
        CNY,
        amount,
        cast(EarmarkKind, kind),
        ZERO32,
        label("d"),
        0,
    )


@case
def pledge_amount_zero(world: World) -> Case:
    return Case(_pledge(world, 0), "FundLedgerZeroAmount", {}, lambda: None)


@case
def pledge_amount_above_cap(world: World) -> Case:
    return Case(
        _pledge(world, TOO_LARGE),
        "FundLedgerAmountTooLarge",
        {"amount": TOO_LARGE, "max": MAX_VALUE},
        lambda: None,
    )


@case
def pledge_earmark_kind_out_of_range(world: World) -> Case:
    return Case(_pledge(world, 1, 7), "FundLedgerInvalidEarmarkKind", {"kind": 7}, lambda: None)


@case
def pledge_paid_above_cap(world: World) -> Case:
    pledge_id = fresh("pledge")
    world.ledger.record_pledge(
        world.intake, pledge_id, CNY, 1, EarmarkKind.NONE, ZERO32, label("d"), 0
    )
    give(world, MAX_VALUE, pledge_id=pledge_id)
    purpose = label("other pool")
    late = gift_input(1, kind=EarmarkKind.PURPOSE, earmark=purpose, pledge_id=pledge_id)
    return Case(
        lambda: world.ledger.record_gift(world.intake, late),
        "FundLedgerTotalTooLarge",
        {"id": pledge_id, "total": MAX_VALUE, "amount": 1, "max": MAX_VALUE},
        lambda: world.ledger.view("fund", "pledge", pledge_id),
    )


def _allocate(world: World, amount: int, kind: int = EarmarkKind.NONE) -> Callable[[], object]:
    return lambda: world.ledger.allocate_funds(
        world.coordinator, fresh("a"), CNY, cast(EarmarkKind, kind), ZERO32, amount, ZERO32, ZERO32
    )


@case
def allocation_amount_zero(world: World) -> Case:
    give(world, 100)
    return Case(_allocate(world, 0), "FundLedgerZeroAmount", {}, _pool_state(world))


@case
def allocation_amount_above_cap(world: World) -> Case:
    give(world, MAX_VALUE)
    return Case(
        _allocate(world, TOO_LARGE),
        "FundLedgerAmountTooLarge",
        {"amount": TOO_LARGE, "max": MAX_VALUE},
        _pool_state(world),
    )


@case
def allocation_earmark_kind_out_of_range(world: World) -> Case:
    give(world, 100)
    return Case(
        _allocate(world, 1, 4), "FundLedgerInvalidEarmarkKind", {"kind": 4}, _pool_state(world)
    )


@case
def release_of_nothing(world: World) -> Case:
    give(world, 100)
    allocation_id = allocate(world, 100)
    world.ledger.release_allocation(world.coordinator, allocation_id)
    return Case(
        lambda: world.ledger.release_allocation(world.coordinator, allocation_id),
        "FundLedgerInsufficientAllocation",
        {"allocationId": allocation_id, "remaining": 0, "requested": 1},
        _pool_state(world),
    )


def _purchase(world: World, **changes: Any) -> Case:
    give(world, 1_000)
    allocation_id = allocate(world, 1_000)
    purchase = replace(purchase_input(world, allocation_id), **changes)
    return Case(
        lambda: world.ledger.record_purchase(world.coordinator, purchase),
        "",
        {},
        lambda: (
            world.ledger.view("fund", "allocation", allocation_id),
            world.ledger.lot(purchase.lot_id),
        ),
    )


@case
def purchase_amount_zero(world: World) -> Case:
    return replace(_purchase(world, amount=0), error="FundLedgerZeroAmount")


@case
def purchase_amount_above_cap(world: World) -> Case:
    return replace(
        _purchase(world, amount=TOO_LARGE),
        error="FundLedgerAmountTooLarge",
        args={"amount": TOO_LARGE, "max": MAX_VALUE},
    )


@case
def purchase_quantity_zero(world: World) -> Case:
    return replace(_purchase(world, quantity=0), error="SupplyLedgerZeroQuantity")


@case
def purchase_quantity_above_cap(world: World) -> Case:
    return replace(
        _purchase(world, quantity=TOO_LARGE),
        error="SupplyLedgerQuantityTooLarge",
        args={"quantity": TOO_LARGE, "max": MAX_VALUE},
    )


# ------------------------------------------------------------------ goods


@case
def in_kind_quantity_zero(world: World) -> Case:
    gift = in_kind_input(world, 0)
    return Case(
        lambda: world.ledger.record_in_kind_gift(world.intake, gift),
        "SupplyLedgerZeroQuantity",
        {},
        _lot_state(world, gift.lot_id),
    )


@case
def in_kind_quantity_above_cap(world: World) -> Case:
    gift = in_kind_input(world, TOO_LARGE)
    return Case(
        lambda: world.ledger.record_in_kind_gift(world.intake, gift),
        "SupplyLedgerQuantityTooLarge",
        {"quantity": TOO_LARGE, "max": MAX_VALUE},
        _lot_state(world, gift.lot_id),
    )


@case
def in_kind_batch_with_one_zero_quantity(world: World) -> Case:
    gifts = [in_kind_input(world, 5), in_kind_input(world, 0)]
    return Case(
        lambda: world.ledger.record_in_kind_gifts(world.intake, gifts),
        "SupplyLedgerZeroQuantity",
        {},
        _lot_state(world, gifts[0].lot_id),
    )


def _post_need(world: World, quantity: int, priority: int = 1) -> Case:
    need_id = fresh("need")
    return Case(
        lambda: world.ledger.post_need(
            world.hospital,
            need_id,
            world.sites["hospital"],
            world.items["mask"],
            quantity,
            priority,
            0,
        ),
        "",
        {},
        lambda: world.ledger.view("supply", "need", need_id),
    )


@case
def need_quantity_zero(world: World) -> Case:
    return replace(_post_need(world, 0), error="SupplyLedgerZeroQuantity")


@case
def need_quantity_above_cap(world: World) -> Case:
    return replace(
        _post_need(world, TOO_LARGE),
        error="SupplyLedgerQuantityTooLarge",
        args={"quantity": TOO_LARGE, "max": MAX_VALUE},
    )


@case
def need_priority_out_of_range(world: World) -> Case:
    return replace(
        _post_need(world, 1, 4), error="SupplyLedgerInvalidPriority", args={"priority": 4}
    )


def _dispatch(world: World, lines: list[DispatchLine], lot_id: bytes) -> Case:
    return Case(
        lambda: world.ledger.dispatch_shipment(
            world.wh_a, fresh("s"), world.sites["wh_a"], world.sites["hospital"], lines
        ),
        "",
        {},
        _lot_state(world, lot_id),
    )


@case
def shipment_without_lines(world: World) -> Case:
    lot_id = stock(world, 10)
    return replace(_dispatch(world, [], lot_id), error="SupplyLedgerEmptyBatch")


@case
def shipment_line_quantity_zero(world: World) -> Case:
    lot_id = stock(world, 10)
    lines = [DispatchLine(lot_id, 1), DispatchLine(lot_id, 0)]
    return replace(_dispatch(world, lines, lot_id), error="SupplyLedgerZeroQuantity")


@case
def shipment_line_quantity_above_cap(world: World) -> Case:
    lot_id = stock(world, 10)
    return replace(
        _dispatch(world, [DispatchLine(lot_id, TOO_LARGE)], lot_id),
        error="SupplyLedgerQuantityTooLarge",
        args={"quantity": TOO_LARGE, "max": MAX_VALUE},
    )


def _receive(world: World, line: ReceiptLine | None) -> Case:
    shipment_id = ship(world, stock(world, 10), 10)
    return Case(
        lambda: world.ledger.receive_shipment(
            world.hospital, shipment_id, [line] if line is not None else []
        ),
        "",
        {},
        lambda: (
            world.ledger.view("supply", "shipment", shipment_id),
            world.ledger.view("supply", "shipmentLine", shipment_id, 0),
        ),
    )


@case
def receipt_without_lines(world: World) -> Case:
    return replace(_receive(world, None), error="SupplyLedgerEmptyBatch")


@case
def receipt_reason_out_of_range(world: World) -> Case:
    line = ReceiptLine(0, 5, cast(DiscrepancyReason, 6))
    return replace(_receive(world, line), error="SupplyLedgerInvalidReason", args={"reason": 6})


@case
def hand_over_quantity_zero(world: World) -> Case:
    return replace(_hand_over(world, 0), error="SupplyLedgerZeroQuantity")


@case
def hand_over_quantity_above_cap(world: World) -> Case:
    return replace(
        _hand_over(world, TOO_LARGE),
        error="SupplyLedgerQuantityTooLarge",
        args={"quantity": TOO_LARGE, "max": MAX_VALUE},
    )


@case
def hand_over_zero_beneficiaries(world: World) -> Case:
    return replace(_hand_over(world, 1, beneficiaries=0), error="SupplyLedgerZeroBeneficiaries")


@case
def hand_over_unit_none(world: World) -> Case:
    return replace(
        _hand_over(world, 1, unit=BeneficiaryUnit.NONE),
        error="SupplyLedgerInvalidUnit",
        args={"unit": 0},
    )


@case
def hand_over_unit_out_of_range(world: World) -> Case:
    return replace(_hand_over(world, 1, unit=3), error="SupplyLedgerInvalidUnit", args={"unit": 3})


@case
def adjustment_delta_zero(world: World) -> Case:
    return replace(
        _adjust(world, 0, AdjustmentReason.COUNT_CORRECTION),
        error="SupplyLedgerInvalidAdjustment",
        args={"reason": AdjustmentReason.COUNT_CORRECTION, "delta": 0},
    )


@case
def adjustment_reason_none(world: World) -> Case:
    return replace(
        _adjust(world, -1, AdjustmentReason.NONE),
        error="SupplyLedgerInvalidReason",
        args={"reason": 0},
    )


@case
def adjustment_reason_out_of_range(world: World) -> Case:
    return replace(_adjust(world, -1, 4), error="SupplyLedgerInvalidReason", args={"reason": 4})


@case
def adjustment_positive_for_damage(world: World) -> Case:
    return replace(
        _adjust(world, 5, AdjustmentReason.DAMAGED),
        error="SupplyLedgerInvalidAdjustment",
        args={"reason": AdjustmentReason.DAMAGED, "delta": 5},
    )


@case
def adjustment_removal_above_cap(world: World) -> Case:
    return replace(
        _adjust(world, -TOO_LARGE, AdjustmentReason.DAMAGED),
        error="SupplyLedgerQuantityTooLarge",
        args={"quantity": TOO_LARGE, "max": MAX_VALUE},
    )


@case
def adjustment_removal_of_int128_min(world: World) -> Case:
    return replace(
        _adjust(world, -(2**127), AdjustmentReason.EXPIRED),
        error="SupplyLedgerQuantityTooLarge",
        args={"quantity": 2**127, "max": MAX_VALUE},
    )


@case
def adjustment_correction_above_cap(world: World) -> Case:
    return replace(
        _adjust(world, TOO_LARGE, AdjustmentReason.COUNT_CORRECTION),
        error="SupplyLedgerQuantityTooLarge",
        args={"quantity": TOO_LARGE, "max": MAX_VALUE},
    )


@case
def adjustment_correction_lifts_inflow_above_cap(world: World) -> Case:
    adjusted = _adjust(world, 2, AdjustmentReason.COUNT_CORRECTION, lot_quantity=MAX_VALUE - 1)
    return replace(
        adjusted,
        error="SupplyLedgerTotalTooLarge",
        args={**adjusted.args, "total": MAX_VALUE - 1, "quantity": 2, "max": MAX_VALUE},
    )


# ------------------------------------------------------------------ registry


@case
def organisation_kind_none(world: World) -> Case:
    return Case(
        lambda: world.ledger.register_organisation(world.admin, fresh("org"), OrgKind.NONE, "x"),
        "AidRegistryInvalidKind",
        {"kind": 0},
        lambda: None,
    )


@case
def organisation_kind_out_of_range(world: World) -> Case:
    return Case(
        lambda: world.ledger.register_organisation(
            world.admin, fresh("org"), cast(OrgKind, 7), "x"
        ),
        "AidRegistryInvalidKind",
        {"kind": 7},
        lambda: None,
    )


@case
def site_kind_out_of_range(world: World) -> Case:
    site_id = fresh("site")
    return Case(
        lambda: world.ledger.register_site(
            world.admin, site_id, world.orgs["relief"], cast(SiteKind, 3), b"CN-HB\0\0\0", "x"
        ),
        "AidRegistryInvalidKind",
        {"kind": 3},
        lambda: world.ledger.view("registry", "siteKind", site_id),
    )


@case
def attestation_without_report_hash(world: World) -> Case:
    attestation_id = fresh("att")
    seq, ledger_head = head(world)
    block = world.ledger.client.w3.eth.block_number
    return Case(
        lambda: world.ledger.attest(
            world.auditor, attestation_id, ZERO32, 0, block, seq, ledger_head
        ),
        "AidRegistryMissingReportHash",
        {"attestationId": attestation_id},
        lambda: None,
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_meaningless_write_is_refused_with_its_values_and_changes_nothing(
    world: World, name: str
) -> None:
    refused = CASES[name](world)
    before = head(world), refused.state()
    with pytest.raises(ContractRevertError) as info:
        refused.write()
    assert (info.value.error, info.value.error_args) == (refused.error, refused.args)
    assert (head(world), refused.state()) == before


# ------------------------------------------------------------------ the largest accepted values


def test_largest_amounts_are_accepted(world: World) -> None:
    give(world, MAX_VALUE)
    assert world.ledger.pool(_pool(world)) == (MAX_VALUE, 0)
    allocation_id = allocate(world, MAX_VALUE)
    purchase = purchase_input(world, allocation_id, amount=MAX_VALUE, quantity=MAX_VALUE)
    world.ledger.record_purchase(world.coordinator, purchase)
    assert world.ledger.view("fund", "allocation", allocation_id)[1:3] == [MAX_VALUE, MAX_VALUE]
    assert world.ledger.lot(purchase.lot_id)[2] == MAX_VALUE
    pledge_id = fresh("pledge")
    world.ledger.record_pledge(
        world.intake, pledge_id, CNY, MAX_VALUE, EarmarkKind.NONE, ZERO32, label("d"), 0
    )
    give(world, MAX_VALUE, kind=EarmarkKind.PURPOSE, earmark=label("p"), pledge_id=pledge_id)
    assert world.ledger.view("fund", "pledge", pledge_id)[1:] == [MAX_VALUE, MAX_VALUE]


def test_largest_quantities_are_accepted(world: World) -> None:
    lot_id = stock(world, MAX_VALUE)
    assert world.ledger.lot(lot_id)[2] == MAX_VALUE
    shipment_id = ship(world, lot_id, MAX_VALUE)
    world.ledger.receive_shipment(world.hospital, shipment_id, [ReceiptLine(0, MAX_VALUE)])
    at_hospital = bytes(world.ledger.view("supply", "receiptLotId", shipment_id, 0))
    need_id = need(world, MAX_VALUE)
    world.ledger.record_hand_over(
        world.hospital, fresh("h"), at_hospital, need_id, MAX_VALUE, 2**32 - 1, PEOPLE
    )
    assert world.ledger.view("supply", "need", need_id)[2:] == [MAX_VALUE, MAX_VALUE, False]
    corrected = stock(world, 1)
    world.ledger.record_adjustment(
        world.wh_a, fresh("adj"), corrected, -1, AdjustmentReason.EXPIRED
    )
    world.ledger.record_adjustment(
        world.wh_a, fresh("adj"), corrected, MAX_VALUE - 1, AdjustmentReason.COUNT_CORRECTION
    )
    assert world.ledger.lot(corrected)[2] == MAX_VALUE - 1
    with pytest.raises(InvalidInputError) as info:
        world.ledger.record_adjustment(
            world.wh_a, fresh("adj"), corrected, 1, AdjustmentReason.COUNT_CORRECTION
        )
    assert info.value.error_args == {
        "lotId": corrected,
        "total": MAX_VALUE,
        "quantity": 1,
        "max": MAX_VALUE,
    }


def test_cap_matches_the_contracts(world: World) -> None:
    assert MAX_VALUE == 2**63 - 1
    assert world.ledger.view("fund", "MAX_VALUE") == MAX_VALUE
    assert world.ledger.view("supply", "MAX_VALUE") == MAX_VALUE
