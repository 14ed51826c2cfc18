"""The matching planner on hand-written scenarios whose best answer is known, and its
invariants under Hypothesis: never past a lot, a pool or a need; earmarks kept; expired stock
never proposed; the same input always gives the same plan."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st

from ledger.chain.ids import region_earmark
from ledger.chain.types import EarmarkKind
from ledger.queries.funds import FundPool
from ledger.queries.needs import OpenNeed
from ledger.queries.stock import EnRoute, StockLot
from ledger.write.commands import AllocateFunds, DispatchShipment
from ledger.write.matching import Plan, Pricing, plan

DAY = 86_400
NOW = 1_600_000_000
PPE = "0x" + "aa" * 32
FOOD = "0x" + "bb" * 32
MASK = "0x" + "01" * 32
RICE = "0x" + "02" * 32
CATEGORY = {MASK: PPE, RICE: FOOD}
SITES = {  # name -> region
    "hospital": "CN-HB",
    "clinic": "CN-GD",
    "wh_hb": "CN-HB",
    "wh_gd": "CN-GD",
    "wh_us": "US-CA",
}


def hexid(text: str) -> str:
    return "0x" + text.encode().hex().ljust(64, "0")[:64]


def need(
    seq: int,
    quantity: int,
    site: str = "hospital",
    item: str = MASK,
    priority: int = 1,
    deadline: int = 0,
    fulfilled: int = 0,
    unspent: tuple[tuple[str, int], ...] = (),
) -> OpenNeed:
    return OpenNeed(
        need_id=hexid(f"need{seq}"),
        label=f"N-{seq}",
        seq=seq,
        site_id=hexid(site),
        site=site,
        region=SITES[site],
        item_id=item,
        item="mask" if item == MASK else "rice",
        category=CATEGORY[item],
        quantity=quantity,
        fulfilled=fulfilled,
        priority=priority,
        deadline=deadline,
        unspent=unspent,
    )


def lot(seq: int, on_hand: int, site: str = "wh_hb", item: str = MASK, expiry: int = 0) -> StockLot:
    return StockLot(
        lot_id=hexid(f"lot{seq}"),
        label=f"L-{seq}",
        seq=seq,
        item_id=item,
        item="mask" if item == MASK else "rice",
        site_id=hexid(site),
        site=site,
        region=SITES[site],
        on_hand=on_hand,
        expiry=expiry,
    )


def pool(kind: EarmarkKind, available: int, value: str = "", currency: str = "CNY") -> FundPool:
    earmark = None
    if kind is EarmarkKind.REGION:
        earmark = "0x" + region_earmark(value).hex()
    elif kind is EarmarkKind.CATEGORY:
        earmark = value
    elif kind is EarmarkKind.PURPOSE:
        earmark = "0x" + "cc" * 32
    return FundPool(
        pool_id=hexid(f"pool{int(kind)}{value[-6:]}{currency}"),
        currency=currency,
        earmark_kind=int(kind),
        earmark=earmark,
        region=value if kind is EarmarkKind.REGION else None,
        received=available,
        allocated=0,
    )


def shipped(result: Plan) -> list[tuple[str, str, list[tuple[str, int]]]]:
    """(from, to, [(lot label seq, quantity)]) per dispatch, by site names."""
    names = {hexid(name): name for name in SITES}
    out = []
    for line in result.lines:
        if isinstance(line.command, DispatchShipment):
            c = line.command
            lots = [(bytes(ln.lot_id).rstrip(b"\0").decode(), ln.quantity) for ln in c.lines]
            out.append((names["0x" + c.from_site.hex()], names["0x" + c.to_site.hex()], lots))
    return out


def allocated(result: Plan) -> list[tuple[int, int]]:
    """(earmark kind, amount) per allocation, in order."""
    return [
        (int(line.command.earmark_kind), line.command.amount)
        for line in result.lines
        if isinstance(line.command, AllocateFunds)
    ]


# ---------------------------------------------------------------- scenarios


def test_stock_goes_first_expiry_first_out_and_never_expired() -> None:
    lots = [
        lot(1, 1_000, "wh_hb"),  # no expiry: last
        lot(2, 500, "wh_hb", expiry=NOW + 20 * DAY),
        lot(3, 100, "wh_gd", expiry=NOW + 10 * DAY),  # expires first, though farther
        lot(4, 900, "wh_hb", expiry=NOW - DAY),  # expired: never
        lot(5, 900, "wh_hb", expiry=NOW),  # expires now: expired
    ]
    result = plan([need(7, 300)], lots, [], [], now=NOW)
    assert shipped(result) == [
        ("wh_gd", "hospital", [("lot3", 100)]),
        ("wh_hb", "hospital", [("lot2", 200)]),
    ]
    assert result.needs[0].from_stock == 300 and result.needs[0].short == 0
    assert [line.signer_site for line in result.lines] == [hexid("wh_gd"), hexid("wh_hb")]


def test_equal_expiry_goes_to_the_nearest_warehouse_then_the_older_lot() -> None:
    expiry = NOW + 30 * DAY
    lots = [
        lot(1, 100, "wh_us", expiry=expiry),
        lot(2, 100, "wh_gd", expiry=expiry),
        lot(3, 100, "wh_hb", expiry=expiry),
        lot(4, 100, "wh_hb", expiry=expiry),
    ]
    result = plan([need(9, 350)], lots, [], [], now=NOW)
    assert shipped(result) == [
        ("wh_hb", "hospital", [("lot3", 100), ("lot4", 100)]),
        ("wh_gd", "hospital", [("lot2", 100)]),
        ("wh_us", "hospital", [("lot1", 50)]),
    ]


def test_priority_then_deadline_then_seq_decides_who_gets_scarce_stock() -> None:
    needs = [
        need(1, 100, "clinic", priority=1),
        need(2, 100, "hospital", priority=1, deadline=NOW + 5 * DAY),
        need(3, 100, "clinic", priority=3),
        need(4, 100, "hospital", priority=1, deadline=NOW + 2 * DAY),
    ]
    result = plan(needs, [lot(10, 250, "wh_hb")], [], [], now=NOW)
    got = {c.label: c.from_stock for c in result.needs}
    assert got == {"N-3": 100, "N-4": 100, "N-2": 50, "N-1": 0}
    assert [c.label for c in result.needs] == ["N-3", "N-4", "N-2", "N-1"]


def test_what_is_on_its_way_counts_before_stock_in_need_order() -> None:
    needs = [need(1, 300, priority=1), need(2, 100, priority=2)]
    bound = [EnRoute(hexid("hospital"), MASK, 250)]
    result = plan(needs, [lot(5, 1_000)], bound, [], now=NOW)
    by = {c.label: c for c in result.needs}
    assert (by["N-2"].en_route, by["N-2"].from_stock) == (100, 0)
    assert (by["N-1"].en_route, by["N-1"].from_stock) == (150, 150)


def test_two_needs_of_one_site_share_one_shipment_with_one_line_per_lot() -> None:
    needs = [need(1, 30, priority=2), need(2, 50)]
    result = plan(needs, [lot(5, 1_000)], [], [], now=NOW)
    assert shipped(result) == [("wh_hb", "hospital", [("lot5", 80)])]
    assert len(result.lines[0].reasons) == 2


def test_money_for_what_stock_cannot_cover_most_restricted_pool_first() -> None:
    pools = [
        pool(EarmarkKind.NONE, 100_000),
        pool(EarmarkKind.CATEGORY, 500, PPE),
        pool(EarmarkKind.REGION, 1_000, "CN-HB"),
        pool(EarmarkKind.REGION, 50_000, "CN-GD"),  # another region: never
        pool(EarmarkKind.CATEGORY, 50_000, FOOD),  # another category: never
        pool(EarmarkKind.PURPOSE, 50_000),  # purpose: never matched
        pool(EarmarkKind.NONE, 50_000, currency="USD"),  # not the priced currency
    ]
    pricing = Pricing("CNY", {MASK: 20})
    result = plan([need(1, 140)], [lot(5, 40)], [], pools, now=NOW, pricing=pricing)
    assert allocated(result) == [
        (EarmarkKind.REGION, 1_000),
        (EarmarkKind.CATEGORY, 500),
        (EarmarkKind.NONE, 500),
    ]
    cover = result.needs[0]
    assert (cover.from_stock, cover.from_funds, cover.short) == (40, 100, 0)
    assert all(line.signer_site is None for line in result.lines[1:])


def test_money_buys_whole_units_and_the_rest_is_short() -> None:
    pricing = Pricing("CNY", {MASK: 300})
    result = plan([need(1, 10)], [], [], [pool(EarmarkKind.NONE, 1_000)], now=NOW, pricing=pricing)
    assert allocated(result) == [(EarmarkKind.NONE, 900)]
    assert (result.needs[0].from_funds, result.needs[0].short) == (3, 7)


def test_without_a_unit_price_no_money_is_proposed_and_the_short_is_said() -> None:
    result = plan([need(1, 10)], [], [], [pool(EarmarkKind.NONE, 10**9)], now=NOW)
    assert result.lines == ()
    assert (result.needs[0].short, result.needs[0].priced) == (10, False)


def test_money_already_allocated_to_a_need_counts_as_covered() -> None:
    pricing = Pricing("CNY", {MASK: 20})
    funded = need(1, 100, unspent=(("CNY", 410), ("USD", 10**6)))
    result = plan([funded], [lot(5, 1_000)], [], [], now=NOW, pricing=pricing)
    assert (result.needs[0].funded, result.needs[0].from_stock) == (20, 80)


def test_the_same_situation_gives_the_same_ids_and_a_moved_need_new_ones() -> None:
    before = plan([need(1, 100)], [lot(5, 1_000)], [], [], now=NOW)
    again = plan([need(1, 100)], [lot(5, 1_000)], [], [], now=NOW + DAY)
    moved = plan([need(1, 100, fulfilled=40)], [lot(5, 1_000)], [], [], now=NOW)
    assert before.lines[0].command.record_id == again.lines[0].command.record_id
    assert before.lines[0].command.record_id != moved.lines[0].command.record_id


# ---------------------------------------------------------------- properties

ITEMS = (MASK, RICE)
WAREHOUSES = ("wh_hb", "wh_gd", "wh_us")
RECIPIENTS = ("hospital", "clinic")

needs_st = st.lists(
    st.builds(
        need,
        seq=st.integers(1, 10_000),
        quantity=st.integers(1, 500),
        site=st.sampled_from(RECIPIENTS),
        item=st.sampled_from(ITEMS),
        priority=st.integers(0, 3),
        deadline=st.sampled_from([0, NOW + DAY, NOW + 2 * DAY]),
        fulfilled=st.integers(0, 100),
        unspent=st.lists(
            st.tuples(st.sampled_from(["CNY", "USD"]), st.integers(1, 5_000)), max_size=2
        ).map(tuple),
    ),
    max_size=6,
    unique_by=lambda n: n.seq,
)
lots_st = st.lists(
    st.builds(
        lot,
        seq=st.integers(1, 10_000),
        on_hand=st.integers(1, 400),
        site=st.sampled_from(WAREHOUSES),
        item=st.sampled_from(ITEMS),
        expiry=st.sampled_from([0, NOW - DAY, NOW, NOW + DAY, NOW + 3 * DAY]),
    ),
    max_size=8,
    unique_by=lambda lt: lt.seq,
)
bound_st = st.lists(
    st.builds(
        EnRoute,
        st.sampled_from([hexid(s) for s in RECIPIENTS]),
        st.sampled_from(ITEMS),
        st.integers(1, 300),
    ),
    max_size=3,
)
pools_st = st.lists(
    st.one_of(
        st.builds(
            pool,
            st.just(EarmarkKind.NONE),
            st.integers(0, 20_000),
            currency=st.sampled_from(["CNY", "USD"]),
        ),
        st.builds(
            pool,
            st.just(EarmarkKind.REGION),
            st.integers(0, 20_000),
            st.sampled_from(["CN-HB", "CN-GD", "US-CA"]),
        ),
        st.builds(
            pool,
            st.just(EarmarkKind.CATEGORY),
            st.integers(0, 20_000),
            st.sampled_from([PPE, FOOD]),
        ),
        st.builds(pool, st.just(EarmarkKind.PURPOSE), st.integers(0, 20_000)),
    ),
    max_size=5,
    unique_by=lambda p: p.pool_id,
)
pricing_st = st.one_of(
    st.none(),
    st.builds(
        Pricing,
        st.sampled_from(["CNY", "USD"]),
        st.dictionaries(st.sampled_from(ITEMS), st.integers(1, 700)),
    ),
)


@given(needs_st, lots_st, bound_st, pools_st, pricing_st)
def test_a_plan_never_goes_past_stock_money_need_or_earmark(
    needs: list[OpenNeed],
    lots: list[StockLot],
    bound: list[EnRoute],
    pools: list[FundPool],
    pricing: Pricing | None,
) -> None:
    result = plan(needs, lots, bound, pools, now=NOW, pricing=pricing)
    by_lot = {lt.lot_id: lt for lt in lots}
    by_need = {n.need_id: n for n in needs}
    took: dict[str, int] = defaultdict(int)
    drew: dict[str, int] = defaultdict(int)
    for line in result.lines:
        command = line.command
        if isinstance(command, DispatchShipment):
            assert "0x" + command.from_site.hex() == line.signer_site
            assert len({bytes(ln.lot_id) for ln in command.lines}) == len(command.lines)
            for ln in command.lines:
                stock = by_lot["0x" + bytes(ln.lot_id).hex()]
                assert ln.quantity > 0 and stock.site_id == line.signer_site
                assert not stock.expired(NOW), "expired stock proposed"
                took[stock.lot_id] += ln.quantity
        else:
            assert line.signer_site is None and command.amount > 0
            target = by_need["0x" + command.need_id.hex()]
            fitting = [
                p
                for p in pools
                if p.currency == command.currency.decode()
                and p.earmark_kind == command.earmark_kind
                and (p.earmark or "0x" + "00" * 32) == "0x" + command.earmark.hex()
            ]
            assert len(fitting) == 1
            chosen = fitting[0]
            assert chosen.earmark_kind != EarmarkKind.PURPOSE
            if chosen.earmark_kind == EarmarkKind.REGION:
                assert chosen.region == target.region
            if chosen.earmark_kind == EarmarkKind.CATEGORY:
                assert chosen.earmark == target.category
            drew[chosen.pool_id] += command.amount
    for lot_id, units in took.items():
        assert units <= by_lot[lot_id].on_hand
    for pool_id, amount in drew.items():
        assert amount <= next(p for p in pools if p.pool_id == pool_id).available
    for cover in result.needs:
        source = by_need[cover.need_id]
        assert cover.outstanding == source.outstanding
        assert (
            min(cover.en_route, cover.funded, cover.from_stock, cover.from_funds, cover.short) >= 0
        )
        total = cover.en_route + cover.funded + cover.from_stock + cover.from_funds + cover.short
        assert total == source.outstanding
    assert plan(needs, lots, bound, pools, now=NOW, pricing=pricing) == result


@given(needs_st, lots_st)
def test_stock_is_not_left_idle_while_a_need_of_its_item_is_open(
    needs: list[OpenNeed], lots: list[StockLot]
) -> None:
    result = plan(needs, lots, [], [], now=NOW)
    took: dict[str, int] = defaultdict(int)
    for line in result.lines:
        assert isinstance(line.command, DispatchShipment)
        for ln in line.command.lines:
            took["0x" + bytes(ln.lot_id).hex()] += ln.quantity
    for cover in result.needs:
        if cover.short:
            item = next(n.item_id for n in needs if n.need_id == cover.need_id)
            idle = [
                lt
                for lt in lots
                if lt.item_id == item and not lt.expired(NOW) and took[lt.lot_id] < lt.on_hand
            ]
            assert idle == []
