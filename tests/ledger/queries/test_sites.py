"""Sites, stock by lot and needs, against the events from eth_getLogs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlmodel import Session

from ledger.queries.pages import BadFilterError, stream
from ledger.queries.position import read_position
from ledger.queries.sites import list_needs, list_sites, list_stock, needs_by_region, site
from tests.contracts.world import World
from tests.ledger.queries.indexed import Indexed, build, counted, hexed

EXPIRY = 2_000_000_000  # every in-kind lot's expiry (tests/contracts/helpers.py)


@pytest.fixture(scope="module")
def indexed(module_world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexed]:
    yield build(module_world, tmp_path_factory.mktemp("sites"))


def lots_on_hand(ix: Indexed) -> dict[str, int]:
    """Lot id -> units on hand, from the events."""
    held: Counter[str] = Counter()
    for e in ix.events:
        if e.name == "LotCreated":
            held[hexed(e.args["lotId"])] += e.args["quantity"]
        elif e.name in ("ShipmentLineDispatched", "HandedOver"):
            held[hexed(e.args["lotId"])] -= e.args["quantity"]
        elif e.name == "LotAdjusted":
            held[hexed(e.args["lotId"])] += e.args["delta"]
    return {lot: n for lot, n in held.items() if n > 0}


def lot_args(ix: Indexed) -> dict[str, dict[str, object]]:
    return {hexed(e.args["lotId"]): dict(e.args) for e in ix.named("LotCreated")}


def test_sites_list_by_name_with_units_on_hand_from_the_events(indexed: Indexed) -> None:
    held, lots = lots_on_hand(indexed), lot_args(indexed)
    per_site: Counter[str] = Counter()
    for lot, n in held.items():
        per_site[hexed(lots[lot]["siteId"])] += n
    with Session(indexed.engine) as session:
        at = read_position(session)
        listed = list(stream(lambda c: list_sites(session, cursor=c, limit=1, at=at)))
        hubei = list_sites(session, region="CN-HB", at=at).items
        stores = list_sites(session, kind="warehouse", at=at).items
        with pytest.raises(BadFilterError, match="warehouse or recipient"):
            list_sites(session, kind="depot", at=at)
    assert [s.name for s in listed] == ["clinic", "hospital", "wh_a", "wh_b"]
    assert {s.site_id: s.on_hand for s in listed if s.on_hand} == dict(per_site)
    assert [s.name for s in hubei] == ["hospital", "wh_a"]
    assert [s.name for s in stores] == ["wh_a", "wh_b"]
    assert listed[0].org == "Jinyintan Hospital" and listed[0].kind == "recipient"


def test_stock_lists_lots_on_hand_with_expiry_filtered_by_site_and_item(indexed: Indexed) -> None:
    held, lots = lots_on_hand(indexed), lot_args(indexed)
    hospital, mask = indexed.hex("hospital"), indexed.hex("mask", "items")
    with Session(indexed.engine) as session:
        at = read_position(session)
        every = list(stream(lambda c: list_stock(session, EXPIRY, cursor=c, limit=4, at=at)))
        there = list_stock(session, EXPIRY - 1, site=hospital, item=mask, limit=100, at=at).items
    assert {lot.lot_id: lot.on_hand for lot in every} == held
    assert [lot.label for lot in every] == sorted(
        (lot.label for lot in every), key=lambda s: -int(s[2:])
    )
    for lot in every:
        assert lot.expiry == lots[lot.lot_id]["expiry"]
        assert lot.expired == (lot.expiry != 0)
    expected = {
        lot
        for lot in held
        if hexed(lots[lot]["siteId"]) == hospital and hexed(lots[lot]["itemId"]) == mask
    }
    assert {lot.lot_id for lot in there} == expected and expected
    assert all(lot.origin == "receipt" and not lot.expired for lot in there)


def test_needs_by_status_region_and_item_follow_the_events(indexed: Indexed) -> None:
    posted = {hexed(e.args["needId"]): e.args for e in indexed.named("NeedPosted")}
    handed: Counter[str] = Counter()
    for e in indexed.named("HandedOver"):
        handed[hexed(e.args["needId"])] += e.args["quantity"]
    closed = {hexed(e.args["needId"]) for e in indexed.named("NeedClosed")}
    met = {n for n, a in posted.items() if handed[n] >= a["quantity"]}
    with Session(indexed.engine) as session:
        at = read_position(session)
        found = {
            status: {n.need_id for n in list_needs(session, status=status, at=at).items}
            for status in ("open", "met", "closed")
        }
        everything = list_needs(session, at=at).items
        gloves = list_needs(session, item=indexed.hex("gloves", "items"), at=at).items
        guangdong = list_needs(session, region="CN-GD", at=at).items
        with pytest.raises(BadFilterError, match="open, met or closed"):
            list_needs(session, status="done", at=at)
    assert found["met"] == met and met
    assert found["closed"] == closed - met and found["closed"]
    assert found["open"] == set(posted) - met - closed
    assert {n.need_id: n.fulfilled for n in everything} == {n: handed[n] for n in posted}
    assert [n.site for n in gloves] == ["clinic"] == [n.site for n in guangdong]


def test_one_site_shows_stock_per_item_and_open_needs_in_three_queries(indexed: Indexed) -> None:
    held, lots = lots_on_hand(indexed), lot_args(indexed)
    hospital = indexed.hex("hospital")
    there = {lot: n for lot, n in held.items() if hexed(lots[lot]["siteId"]) == hospital}
    dated = sum(n for lot, n in there.items() if lots[lot]["expiry"] != 0)
    with Session(indexed.engine) as session:
        at = read_position(session)
        with counted(session) as statements:
            result = site(session, hospital, EXPIRY, at=at)
        assert site(session, "0x" + "00" * 32, EXPIRY, at=at) is None
    assert result is not None and len(statements) == 3
    detail = result.data
    assert [(s.item, s.on_hand, s.expired) for s in detail.stock] == [
        ("mask", sum(there.values()), dated)
    ]
    assert 0 < dated < sum(there.values())
    assert {n.site for n in detail.open_needs} == {"hospital"}
    assert all(n.status == "open" for n in detail.open_needs) and detail.open_needs


def test_a_sites_stock_says_when_its_next_lot_expires(indexed: Indexed) -> None:
    hospital = indexed.hex("hospital")
    with Session(indexed.engine) as session:
        at = read_position(session)
        before = site(session, hospital, EXPIRY - 1, at=at)
        after = site(session, hospital, EXPIRY, at=at)
    assert before is not None and after is not None
    # the figures at EXPIRY - 1 hold until EXPIRY, when the dated lots expire; then none will
    assert [(s.expired, s.next_expiry) for s in before.data.stock] == [(0, EXPIRY)]
    assert [s.next_expiry for s in after.data.stock] == [None]
    assert after.data.stock[0].expired > 0


def test_needs_by_region_and_item_set_needed_against_handed_over_and_in_transit(
    indexed: Indexed,
) -> None:
    sites = {hexed(e.args["siteId"]): e.args for e in indexed.named("SiteRegistered")}
    region = {k: bytes(a["region"]).rstrip(b"\0").decode() for k, a in sites.items()}
    lots = lot_args(indexed)
    needs = {hexed(e.args["needId"]): e.args for e in indexed.named("NeedPosted")}
    handed: Counter[str] = Counter()
    for e in indexed.named("HandedOver"):
        handed[hexed(e.args["needId"])] += e.args["quantity"]
    closed = {hexed(e.args["needId"]) for e in indexed.named("NeedClosed")}
    expected: dict[tuple[str, str], Counter[str]] = {}
    for need_id, a in needs.items():
        key = (region[hexed(a["siteId"])], hexed(a["itemId"]))
        sums = expected.setdefault(key, Counter())
        sums["needed"] += a["quantity"]
        sums["handed_over"] += handed[need_id]
        status = (
            "met" if handed[need_id] >= a["quantity"] else "closed" if need_id in closed else "open"
        )
        sums[status] += 1
    to_site = {
        hexed(e.args["shipmentId"]): hexed(e.args["toSite"])
        for e in indexed.named("ShipmentDispatched")
    }
    received = {
        (hexed(e.args["shipmentId"]), e.args["lineIndex"])
        for e in indexed.named("ShipmentLineReceived")
    }
    for e in indexed.named("ShipmentLineDispatched"):
        dest = to_site[hexed(e.args["shipmentId"])]
        key = (region[dest], hexed(lots[hexed(e.args["lotId"])]["itemId"]))
        line = (hexed(e.args["shipmentId"]), e.args["lineIndex"])
        if line not in received and sites[dest]["kind"] == 2 and key in expected:
            expected[key]["in_transit"] += e.args["quantity"]
    with Session(indexed.engine) as session:
        at = read_position(session)
        with counted(session) as statements:
            rows = needs_by_region(session, at=at).data
        guangdong = needs_by_region(session, region="CN-GD", at=at).data
    assert len(statements) == 2
    got = {
        (r.region, r.item_id): Counter(
            needed=r.needed,
            handed_over=r.handed_over,
            in_transit=r.in_transit,
            open=r.open,
            met=r.met,
            closed=r.closed,
        )
        for r in rows
    }
    assert {k: +v for k, v in got.items()} == {k: +v for k, v in expected.items()}
    assert [(r.region, r.item, r.in_transit) for r in guangdong] == [("CN-GD", "gloves", 25)]
