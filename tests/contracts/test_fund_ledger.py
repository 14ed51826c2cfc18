"""FundLedger: gifts, batches, pledges, allocations, releases and spending."""

from __future__ import annotations

import pytest

from ledger.chain.bindings import COORDINATOR_ROLE, INTAKE_ROLE
from ledger.chain.ids import ZERO32, currency_code, label, region_earmark
from ledger.chain.types import EarmarkKind
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
    gift_input,
    give,
    head,
    need,
    purchase_input,
)
from tests.contracts.world import CNY, USD, World


def pool_of(
    world: World,
    currency: bytes = CNY,
    kind: EarmarkKind = EarmarkKind.NONE,
    earmark: bytes = ZERO32,
) -> tuple[int, int]:
    return world.ledger.pool(world.ledger.pool_id(currency, kind, earmark))


def test_record_gift_credits_pool_and_emits_event(world: World) -> None:
    gift = gift_input(12_345, public_name="Li Wei")
    receipt = world.ledger.record_gift(world.intake, gift)
    (event,) = events(world, receipt)
    assert event.name == "GiftRecorded"
    assert event.args["amount"] == 12_345 and event.args["currency"] == b"CNY"
    assert event.args["poolId"] == world.ledger.pool_id(CNY, EarmarkKind.NONE, ZERO32)
    assert event.args["publicName"] == "Li Wei"
    assert pool_of(world) == (12_345, 0)
    assert world.ledger.view("fund", "giftExists", gift.gift_id) is True


def test_pool_id_matches_contract(world: World) -> None:
    onchain = world.ledger.view("fund", "poolId", USD, 2, region_earmark("CN-HB"))
    assert bytes(onchain) == world.ledger.pool_id(USD, EarmarkKind.REGION, region_earmark("CN-HB"))


def test_record_gift_twice_reverts_and_changes_nothing(world: World) -> None:
    gift = give(world, 500)
    before = head(world), pool_of(world)
    with pytest.raises(DuplicateIdError) as info:
        world.ledger.record_gift(world.intake, gift)
    assert info.value.error_args == {"id": gift.gift_id}
    assert (head(world), pool_of(world)) == before


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"amount": 0}, "FundLedgerZeroAmount"),
        ({"currency": b"cny"}, "FundLedgerInvalidCurrency"),
        ({"currency": b"C1Y"}, "FundLedgerInvalidCurrency"),
        ({"kind": EarmarkKind.NONE, "earmark": label("x")}, "FundLedgerInvalidEarmark"),
        ({"kind": EarmarkKind.PURPOSE, "earmark": ZERO32}, "FundLedgerInvalidEarmark"),
        ({"commitment": ZERO32}, "FundLedgerMissingDonorCommitment"),
        ({"gift_id": ZERO32}, "FundLedgerZeroId"),
    ],
)
def test_record_gift_reverts_on_bad_input(
    world: World, changes: dict[str, object], error: str
) -> None:
    changes = dict(changes)
    amount = int(changes.pop("amount", 100))  # type: ignore[call-overload]
    with pytest.raises(InvalidInputError) as info:
        world.ledger.record_gift(world.intake, gift_input(amount, **changes))  # type: ignore[arg-type]
    assert info.value.error == error


def test_record_gift_requires_intake_role(world: World) -> None:
    with pytest.raises(UnauthorizedError) as info:
        world.ledger.record_gift(world.coordinator, gift_input())
    assert info.value.error_args == {
        "account": world.coordinator.address,
        "neededRole": INTAKE_ROLE,
    }


def test_record_gifts_batch_is_all_or_nothing(world: World) -> None:
    gifts = [gift_input(100 * (i + 1)) for i in range(5)]
    receipt = world.ledger.record_gifts(world.intake, gifts)
    assert [e.name for e in events(world, receipt)] == ["GiftRecorded"] * 5
    assert pool_of(world) == (1_500, 0)
    before = head(world), pool_of(world)
    with pytest.raises(DuplicateIdError):
        world.ledger.record_gifts(world.intake, [gift_input(1), gifts[2]])
    assert (head(world), pool_of(world)) == before
    with pytest.raises(InvalidInputError) as info:
        world.ledger.record_gifts(world.intake, [])
    assert info.value.error == "FundLedgerEmptyBatch"
    with pytest.raises(UnauthorizedError):
        world.ledger.record_gifts(world.outsider, [gift_input()])


def test_pledge_is_paid_by_gifts_in_its_currency(world: World) -> None:
    pledge_id = fresh("pledge")
    receipt = world.ledger.record_pledge(
        world.intake, pledge_id, CNY, 5_000, EarmarkKind.NONE, ZERO32, label("d"), 1_900_000_000
    )
    assert events(world, receipt)[0].name == "PledgeRecorded"
    give(world, 2_000, pledge_id=pledge_id)
    give(world, 4_000, pledge_id=pledge_id)
    currency, amount, paid = world.ledger.view("fund", "pledge", pledge_id)
    assert (bytes(currency), amount, paid) == (CNY, 5_000, 6_000)
    with pytest.raises(InvalidInputError) as info:
        give(world, 1, currency=USD, pledge_id=pledge_id)
    assert info.value.error_args == {"pledgeId": pledge_id, "pledged": CNY, "given": USD}
    with pytest.raises(NotFoundError) as info125:
        give(world, 1, pledge_id=fresh("pledge"))
    assert info125.value.error == "FundLedgerUnknownPledge"


def test_record_pledge_reverts(world: World) -> None:
    pledge_id = fresh("pledge")
    record = world.ledger.record_pledge
    record(world.intake, pledge_id, CNY, 1, EarmarkKind.NONE, ZERO32, label("d"), 0)
    with pytest.raises(DuplicateIdError):
        record(world.intake, pledge_id, CNY, 1, EarmarkKind.NONE, ZERO32, label("d"), 0)
    with pytest.raises(InvalidInputError, match="FundLedgerZeroAmount"):
        record(world.intake, fresh("p"), CNY, 0, EarmarkKind.NONE, ZERO32, label("d"), 0)
    with pytest.raises(InvalidInputError, match="FundLedgerMissingDonorCommitment"):
        record(world.intake, fresh("p"), CNY, 1, EarmarkKind.NONE, ZERO32, ZERO32, 0)
    with pytest.raises(InvalidInputError, match="FundLedgerInvalidEarmark"):
        record(world.intake, fresh("p"), CNY, 1, EarmarkKind.REGION, ZERO32, label("d"), 0)
    with pytest.raises(UnauthorizedError):
        record(world.auditor, fresh("p"), CNY, 1, EarmarkKind.NONE, ZERO32, label("d"), 0)


def test_allocate_moves_money_out_of_pool(world: World) -> None:
    give(world, 1_000)
    allocation_id = allocate(world, 600, purpose=label("masks"))
    assert pool_of(world) == (1_000, 600)
    pool_id, amount, spent, released = world.ledger.view("fund", "allocation", allocation_id)
    assert (bytes(pool_id), amount, spent, released) == (
        world.ledger.pool_id(CNY, EarmarkKind.NONE, ZERO32),
        600,
        0,
        0,
    )


def test_allocate_beyond_pool_reverts_with_values(world: World) -> None:
    give(world, 1_000)
    allocate(world, 700)
    before = head(world), pool_of(world)
    with pytest.raises(InsufficientError) as info:
        allocate(world, 301)
    assert info.value.error_args["available"] == 300 and info.value.error_args["requested"] == 301
    assert (head(world), pool_of(world)) == before


def test_allocate_reverts_on_duplicate_zero_and_role(world: World) -> None:
    give(world, 1_000)
    allocation_id = allocate(world, 10)
    with pytest.raises(DuplicateIdError):
        world.ledger.allocate_funds(
            world.coordinator, allocation_id, CNY, EarmarkKind.NONE, ZERO32, 10, ZERO32, ZERO32
        )
    with pytest.raises(InvalidInputError, match="FundLedgerZeroAmount"):
        allocate(world, 0)
    with pytest.raises(UnauthorizedError) as info:
        world.ledger.allocate_funds(
            world.intake, fresh("a"), CNY, EarmarkKind.NONE, ZERO32, 10, ZERO32, ZERO32
        )
    assert info.value.error_args["neededRole"] == COORDINATOR_ROLE
    with pytest.raises(NotFoundError, match="FundLedgerUnknownNeed"):
        allocate(world, 10, need_id=fresh("need"))


def test_purpose_earmark_binds_allocation_purpose(world: World) -> None:
    purpose = label("masks")
    give(world, 1_000, kind=EarmarkKind.PURPOSE, earmark=purpose)
    with pytest.raises(InvalidInputError) as info:
        allocate(world, 100, EarmarkKind.PURPOSE, purpose, purpose=label("rice"))
    assert info.value.error == "FundLedgerEarmarkMismatch"
    allocate(world, 100, EarmarkKind.PURPOSE, purpose, purpose=purpose)


def test_region_earmark_needs_a_need_in_that_region(world: World) -> None:
    earmark = region_earmark("CN-HB")
    give(world, 1_000, kind=EarmarkKind.REGION, earmark=earmark)
    with pytest.raises(InvalidInputError, match="FundLedgerEarmarkMismatch"):
        allocate(world, 100, EarmarkKind.REGION, earmark)
    far_need = need(world, site="clinic")
    with pytest.raises(InvalidInputError, match="FundLedgerEarmarkMismatch"):
        allocate(world, 100, EarmarkKind.REGION, earmark, need_id=far_need)
    allocate(world, 100, EarmarkKind.REGION, earmark, need_id=need(world, site="hospital"))


def test_category_earmark_checked_at_allocation_and_purchase(world: World) -> None:
    ppe = label("ppe")
    give(world, 5_000, kind=EarmarkKind.CATEGORY, earmark=ppe)
    with pytest.raises(InvalidInputError, match="FundLedgerEarmarkMismatch"):
        allocate(world, 100, EarmarkKind.CATEGORY, ppe, need_id=need(world, item="rice"))
    allocation_id = allocate(
        world, 1_000, EarmarkKind.CATEGORY, ppe, need_id=need(world, item="mask")
    )
    with pytest.raises(InvalidInputError, match="FundLedgerEarmarkMismatch"):
        world.ledger.record_purchase(
            world.coordinator, purchase_input(world, allocation_id, item="rice")
        )
    world.ledger.record_purchase(
        world.coordinator, purchase_input(world, allocation_id, item="gloves")
    )


def test_release_returns_unspent_remainder(world: World) -> None:
    give(world, 1_000)
    allocation_id = allocate(world, 800)
    world.ledger.record_purchase(
        world.coordinator, purchase_input(world, allocation_id, amount=300)
    )
    receipt = world.ledger.release_allocation(world.coordinator, allocation_id)
    (event,) = events(world, receipt)
    assert event.name == "AllocationReleased" and event.args["amount"] == 500
    assert pool_of(world) == (1_000, 300)
    with pytest.raises(InsufficientError) as info:
        world.ledger.release_allocation(world.coordinator, allocation_id)
    assert info.value.error_args["remaining"] == 0
    with pytest.raises(NotFoundError):
        world.ledger.release_allocation(world.coordinator, fresh("a"))
    with pytest.raises(UnauthorizedError):
        world.ledger.release_allocation(world.intake, allocation_id)


def test_spend_only_by_supply_ledger(world: World) -> None:
    give(world, 1_000)
    allocation_id = allocate(world, 100)
    fn = world.ledger.fund.functions.spend(
        allocation_id, fresh("p"), 10, ZERO32, world.coordinator.address
    )
    with pytest.raises(InvalidInputError) as info:
        world.ledger.client.send(world.coordinator, fn)
    assert info.value.error == "FundLedgerNotSupplyLedger"


def test_currencies_are_separate_pools(world: World) -> None:
    give(world, 1_000, currency=USD)
    with pytest.raises(InsufficientError):
        allocate(world, 1, currency=currency_code("CNY"))
    allocate(world, 1_000, currency=USD)
