"""The public gift list and one gift's parts, against the events from eth_getLogs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from ledger.chain.ids import region_earmark
from ledger.chain.types import EarmarkKind
from ledger.queries.gifts import gift, list_gifts
from ledger.queries.pages import BadCursorError, BadFilterError, stream
from ledger.queries.position import read_position
from tests.contracts.world import World
from tests.ledger.queries.indexed import Indexed, build, counted, hexed


@pytest.fixture(scope="module")
def indexed(module_world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexed]:
    yield build(module_world, tmp_path_factory.mktemp("gifts"))


def gift_events(ix: Indexed) -> list[tuple[str, str, int]]:
    """(kind, gift id, seq) of every gift, newest first."""
    kinds = {"GiftRecorded": "money", "InKindGiftRecorded": "in_kind"}
    found = [(kinds[e.name], hexed(e.args["giftId"]), e.seq) for e in ix.named(*kinds)]
    return found[::-1]


def test_every_gift_is_listed_once_newest_first_across_pages(indexed: Indexed) -> None:
    with Session(indexed.engine) as session:
        at = read_position(session)
        listed = list(stream(lambda c: list_gifts(session, cursor=c, limit=3, at=at)))
    assert [(g.kind, g.gift_id, g.event.seq) for g in listed] == gift_events(indexed)
    money = {hexed(e.args["giftId"]): e for e in indexed.named("GiftRecorded")}
    for g in listed:
        if g.kind == "money":
            e = money[g.gift_id]
            assert (g.currency, g.amount) == (e.args["currency"].decode(), e.args["amount"])
            assert g.event.tx_hash == hexed(e.tx_hash) and g.event.block == e.block_number


def test_in_kind_gifts_show_their_lot_units_item_and_site(indexed: Indexed) -> None:
    lots = {hexed(e.args["lotId"]): e.args for e in indexed.named("LotCreated")}
    with Session(indexed.engine) as session:
        listed = list_gifts(session, kind="in_kind", limit=100).items
    assert len(listed) == len(indexed.named("InKindGiftRecorded"))
    for g in listed:
        assert g.lot_id is not None
        lot = lots[g.lot_id]
        assert (g.amount, g.item_id, g.site_id) == (
            lot["quantity"],
            hexed(lot["itemId"]),
            hexed(lot["siteId"]),
        )
        assert g.lot_label is not None and g.lot_label.startswith("L-")


def test_donors_show_by_commitment_short_id_and_by_name_only_when_public(
    indexed: Indexed,
) -> None:
    with Session(indexed.engine) as session:
        listed = list_gifts(session, limit=100).items
    events = {hexed(e.args["giftId"]): e for e in indexed.named("GiftRecorded")}
    named = [g for g in listed if g.public_name is not None]
    assert [g.public_name for g in named] == ["Acme <b>Ltd</b>"]
    for g in listed:
        if g.kind == "money":
            assert g.donor == hexed(events[g.gift_id].args["donorCommitment"])[2:10]
    assert all(g.public_name is None for g in listed if g is not named[0])


def test_filters_by_currency_region_site_item_and_pledge(indexed: Indexed) -> None:
    usd = [e for e in indexed.named("GiftRecorded") if e.args["currency"] == b"USD"]
    gd_earmark = region_earmark("CN-GD")
    wh_b, gloves = indexed.hex("wh_b"), indexed.hex("gloves", "items")
    at_wh_b = {
        hexed(e.args["lotId"])
        for e in indexed.named("LotCreated")
        if hexed(e.args["siteId"]) == wh_b
    }
    in_kind_at_wh_b = {
        hexed(e.args["giftId"])
        for e in indexed.named("InKindGiftRecorded")
        if hexed(e.args["lotId"]) in at_wh_b
    }
    earmarked_gd = {
        hexed(e.args["giftId"])
        for e in indexed.named("GiftRecorded")
        if e.args["earmarkKind"] == EarmarkKind.REGION and bytes(e.args["earmark"]) == gd_earmark
    }
    pledged = {
        hexed(e.args["giftId"]) for e in indexed.named("GiftRecorded") if any(e.args["pledgeId"])
    }
    with Session(indexed.engine) as session:
        by_usd = list_gifts(session, currency="USD", limit=100).items
        by_region = list_gifts(session, region="CN-GD", limit=100).items
        by_site = list_gifts(session, site=wh_b, limit=100).items
        by_item = list_gifts(session, item=gloves, limit=100).items
        by_pledge = [
            g.gift_id
            for p in {g.pledge_id for g in list_gifts(session, limit=100).items} - {None}
            for g in list_gifts(session, pledge=p, limit=100).items
        ]
    assert {g.gift_id for g in by_usd} == {hexed(e.args["giftId"]) for e in usd} and usd
    assert {g.gift_id for g in by_region} == earmarked_gd | in_kind_at_wh_b
    assert earmarked_gd and in_kind_at_wh_b
    assert {g.gift_id for g in by_site} == in_kind_at_wh_b
    assert {g.gift_id for g in by_item} == in_kind_at_wh_b  # the one gloves gift is at wh_b
    assert set(by_pledge) == pledged and len(pledged) == 3


def test_a_date_range_keeps_gifts_of_blocks_in_it(indexed: Indexed) -> None:
    w3 = indexed.world.ledger.client.w3
    gifts = indexed.named("GiftRecorded", "InKindGiftRecorded")
    times = {e.seq: int(w3.eth.get_block(e.block_number)["timestamp"]) for e in gifts}
    middle = sorted(set(times.values()))[len(set(times.values())) // 2]
    with Session(indexed.engine) as session:
        early = list_gifts(session, until=middle, limit=100).items
        late = list_gifts(session, since=middle, limit=100).items
        none = list_gifts(session, since=middle, until=middle, limit=100).items
    assert {g.event.seq for g in early} == {s for s, t in times.items() if t < middle}
    assert {g.event.seq for g in late} == {s for s, t in times.items() if t >= middle}
    assert early and late and none == []


def test_a_money_gift_shows_its_shares_of_allocation_purchase_and_lot(indexed: Indexed) -> None:
    """Round one of the scenario: G1 ¥1,000 and G2 ¥2,500 in one pool; ¥3,000 allocated (G1
    1,000, G2 2,000); ¥2,000 spent on 400 units (G1 1,000, G2 1,000: 200 units each). 150
    units shipped (G1's first), 140 received at the hospital, 90 of them handed over."""
    first = indexed.named("GiftRecorded")[0]
    allocated = indexed.named("FundsAllocated")[0].args
    spent = indexed.named("PurchaseRecorded")[0].args
    with Session(indexed.engine) as session:
        result = gift(session, "money", hexed(first.args["giftId"]))
    assert result is not None
    detail = result.data
    assert next((a.allocation_id, a.share) for a in detail.allocations) == (
        hexed(allocated["allocationId"]),
        1_000,
    )
    assert [(p.purchase_id, p.share) for p in detail.purchases] == [
        (hexed(spent["purchaseId"]), 1_000)
    ]
    bought, received = detail.lots
    assert (bought.lot_id, bought.quantity, bought.remaining) == (hexed(spent["lotId"]), 200, 50)
    assert (received.site, received.quantity, received.remaining) == ("hospital", 140, 50)
    assert sorted((f.flow_kind, f.quantity) for f in detail.flows) == [
        ("hand_over", 90),
        ("line", 150),
    ]


def test_one_gift_is_a_few_queries_and_unknown_gifts_or_bad_filters_are_said(
    indexed: Indexed,
) -> None:
    first = hexed(indexed.named("GiftRecorded")[0].args["giftId"])
    with Session(indexed.engine) as session:
        at = read_position(session)
        with counted(session) as statements:
            assert gift(session, "money", first, at=at) is not None
            detail_count = len(statements)
            list_gifts(session, currency="CNY", since=1, at=at)
        assert gift(session, "in_kind", first, at=at) is None
        with pytest.raises(BadCursorError):
            list_gifts(session, cursor="bogus", at=at)
        with pytest.raises(BadFilterError, match="1 to 8 ASCII characters"):
            list_gifts(session, region="a region too long", at=at)
    assert detail_count == 5
    assert len(statements) == detail_count + 2
