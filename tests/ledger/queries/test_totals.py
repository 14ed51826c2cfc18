"""The overview's totals against independent sums over the raw events from eth_getLogs."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from ledger.chain.types import LotOrigin
from ledger.queries.gifts import GiftPublic, list_gifts
from ledger.queries.models import Position, Result
from ledger.queries.pages import stream
from ledger.queries.position import read_position
from ledger.queries.totals import DAY, Overview, overview
from tests.contracts.world import World
from tests.ledger.queries.indexed import Indexed, build, counted, hexed, index_into

EXPIRY = 2_000_000_000  # every in-kind lot's expiry (tests/contracts/helpers.py)


@pytest.fixture(scope="module")
def indexed(module_world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexed]:
    yield build(module_world, tmp_path_factory.mktemp("totals"))


def lot_items(ix: Indexed) -> dict[str, str]:
    return {hexed(e.args["lotId"]): hexed(e.args["itemId"]) for e in ix.named("LotCreated")}


def on_hand(ix: Indexed) -> dict[str, int]:
    held: Counter[str] = Counter()
    for e in ix.events:
        lot = hexed(e.args["lotId"]) if "lotId" in e.args else None
        if e.name == "LotCreated":
            held[lot] += e.args["quantity"]  # type: ignore[index]
        elif e.name in ("ShipmentLineDispatched", "HandedOver"):
            held[lot] -= e.args["quantity"]  # type: ignore[index]
        elif e.name == "LotAdjusted":
            held[lot] += e.args["delta"]  # type: ignore[index]
    return dict(held)


def test_money_received_allocated_and_spent_per_currency_equal_the_events(
    indexed: Indexed,
) -> None:
    currency_of_pool = {
        hexed(e.args["poolId"]): e.args["currency"].decode() for e in indexed.named("GiftRecorded")
    }
    currency_of_allocation: dict[str, str] = {}
    expected: dict[str, Counter[str]] = defaultdict(Counter)
    for e in indexed.events:
        a = e.args
        if e.name == "GiftRecorded":
            expected[a["currency"].decode()]["received"] += a["amount"]
        elif e.name == "FundsAllocated":
            currency = currency_of_pool[hexed(a["poolId"])]
            currency_of_allocation[hexed(a["allocationId"])] = currency
            expected[currency]["allocated"] += a["amount"]
        elif e.name == "AllocationReleased":
            expected[currency_of_pool[hexed(a["poolId"])]]["allocated"] -= a["amount"]
        elif e.name == "AllocationSpent":
            expected[currency_of_allocation[hexed(a["allocationId"])]]["spent"] += a["amount"]
    with Session(indexed.engine) as session:
        money = overview(session, now=0).data.money
    got = {
        m.currency: Counter(received=m.received, allocated=m.allocated, spent=m.spent)
        for m in money
    }
    assert set(got) == {"CNY", "USD"}
    for currency, sums in expected.items():
        assert +got[currency] == +sums, currency
    assert got["CNY"]["spent"] > 0 and got["USD"]["allocated"] == 1_000


def test_goods_received_shipped_and_handed_over_per_item_equal_the_events(
    indexed: Indexed,
) -> None:
    items = lot_items(indexed)
    expected: dict[str, Counter[str]] = defaultdict(Counter)
    for e in indexed.events:
        a = e.args
        if e.name == "LotCreated" and a["origin"] == LotOrigin.IN_KIND_GIFT:
            expected[hexed(a["itemId"])]["in_kind"] += a["quantity"]
        elif e.name == "LotCreated" and a["origin"] == LotOrigin.PURCHASE:
            expected[hexed(a["itemId"])]["purchased"] += a["quantity"]
        elif e.name == "ShipmentLineDispatched":
            expected[items[hexed(a["lotId"])]]["shipped"] += a["quantity"]
        elif e.name == "HandedOver":
            expected[items[hexed(a["lotId"])]]["handed_over"] += a["quantity"]
    with Session(indexed.engine) as session:
        goods = overview(session, now=0).data.goods
    got = {
        g.item_id: Counter(
            in_kind=g.received_in_kind,
            purchased=g.received_purchased,
            shipped=g.shipped,
            handed_over=g.handed_over,
        )
        for g in goods
    }
    assert {k: +v for k, v in got.items()} == {k: +v for k, v in expected.items()}
    mask = next(g for g in goods if g.item == "mask")
    assert mask.received == mask.received_in_kind + mask.received_purchased > 0


def test_needs_met_and_pledge_gap_equal_the_events(indexed: Indexed) -> None:
    quantity = {hexed(e.args["needId"]): e.args["quantity"] for e in indexed.named("NeedPosted")}
    handed: Counter[str] = Counter()
    for e in indexed.named("HandedOver"):
        handed[hexed(e.args["needId"])] += e.args["quantity"]
    met = sum(handed[n] >= q for n, q in quantity.items())
    promised: Counter[str] = Counter()
    pledge_currency = {}
    for e in indexed.named("PledgeRecorded"):
        promised[e.args["currency"].decode()] += e.args["amount"]
        pledge_currency[hexed(e.args["pledgeId"])] = e.args["currency"].decode()
    paid: Counter[str] = Counter()
    for e in indexed.named("GiftRecorded"):
        pledge = hexed(e.args["pledgeId"])
        if pledge in pledge_currency:
            paid[pledge_currency[pledge]] += e.args["amount"]
    with Session(indexed.engine) as session:
        data = overview(session, now=0).data
    assert (data.needs.posted, data.needs.met) == (len(quantity), met)
    assert data.needs.units_needed == sum(quantity.values())
    assert data.needs.units_handed_over == sum(handed.values())
    assert data.needs.percent == 100 * met // len(quantity)
    assert {p.currency: (p.promised, p.paid) for p in data.pledges} == {
        c: (promised[c], paid[c]) for c in promised
    }
    usd = next(p for p in data.pledges if p.currency == "USD")
    assert usd.gap == 5_000 - 1_200


def test_latest_events_are_the_newest_logs_with_their_tx_and_time(indexed: Indexed) -> None:
    w3 = indexed.world.ledger.client.w3
    with Session(indexed.engine) as session:
        latest = overview(session, now=0, latest=5).data.latest
    newest = indexed.events[-5:][::-1]
    assert [(e.seq, e.name, e.block, e.tx_hash, e.log_index) for e in latest] == [
        (e.seq, e.name, e.block_number, hexed(e.tx_hash), e.log_index) for e in newest
    ]
    assert latest[0].time == w3.eth.get_block(newest[0].block_number)["timestamp"]


def test_alerts_list_expiring_stock_late_shipments_and_overdue_needs(indexed: Indexed) -> None:
    held = on_hand(indexed)
    dated = {
        hexed(e.args["lotId"])
        for e in indexed.named("LotCreated")
        if e.args["expiry"] != 0 and held[hexed(e.args["lotId"])] > 0
    }
    completed = {hexed(e.args["shipmentId"]) for e in indexed.named("ShipmentCompleted")}
    open_shipments = {
        hexed(e.args["shipmentId"]) for e in indexed.named("ShipmentDispatched")
    } - completed
    w3 = indexed.world.ledger.client.w3
    chain_now = int(w3.eth.get_block("latest")["timestamp"])
    with Session(indexed.engine) as session:
        soon = overview(session, now=EXPIRY - 29 * DAY, alert_limit=100).data.alerts
        early = overview(session, now=EXPIRY - 31 * DAY, alert_limit=100).data.alerts
        today = overview(session, now=chain_now, late_days=7).data.alerts
        later = overview(session, now=chain_now + 8 * DAY, late_days=7).data.alerts
    deadline = max(e.args["deadline"] for e in indexed.named("NeedPosted"))
    assert {lot.lot_id for lot in soon.expiring} == dated and dated
    assert not any(lot.expired for lot in soon.expiring)
    assert early.expiring == []
    assert today.late_shipments == []
    assert {s.shipment_id for s in later.late_shipments} == open_shipments and open_shipments
    assert all(s.days >= 8 for s in later.late_shipments)
    assert today.overdue_needs == []
    assert [(n.site, n.item, n.deadline) for n in later.overdue_needs] == [
        ("clinic", "gloves", deadline)
    ]


def test_overview_reads_the_position_once_and_runs_at_most_ten_queries(indexed: Indexed) -> None:
    with Session(indexed.engine) as session, counted(session) as statements:
        result = overview(session, now=0)
    assert len(statements) <= 10, statements
    last = indexed.events[-1]
    assert (result.position.seq, result.position.head) == (last.seq, hexed(last.head))
    assert result.position.block is not None and result.position.block >= last.block_number
    with Session(indexed.engine) as session:
        at = read_position(session)
        with counted(session) as statements:
            overview(session, now=0, at=at)
    assert len(statements) == 9
    assert (
        Result[Overview].model_validate_json(result.model_dump_json()) == result
    )  # the API's JSON


def read_all(engine: Engine) -> tuple[Overview, list[GiftPublic], Position]:
    with Session(engine) as session:
        at = read_position(session)
        gifts = list(stream(lambda c: list_gifts(session, cursor=c, limit=4, at=at)))
        return overview(session, now=EXPIRY, at=at).data, gifts, at


def test_postgresql_reads_the_same_overview_and_gift_pages(indexed: Indexed, db_url: str) -> None:
    """The same chain indexed into SQLite and PostgreSQL reads the same, page for page."""
    engine = index_into(indexed.world, db_url)
    try:
        results = [read_all(mirror) for mirror in (indexed.engine, engine)]
    finally:
        engine.dispose()
    (sqlite, sqlite_gifts, sqlite_at), (other, other_gifts, other_at) = results
    assert other == sqlite and other_gifts == sqlite_gifts and other_at == sqlite_at
    assert sqlite.alerts.expiring and len(sqlite_gifts) > 4
