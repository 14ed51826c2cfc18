"""The Sankey's edges and the events behind each, against sums over eth_getLogs."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

import pytest
from sqlmodel import Session

from ledger.chain.types import LotOrigin
from ledger.queries.flows import edge_events, flows
from ledger.queries.models import EventRef, Page
from ledger.queries.pages import BadFilterError, stream
from ledger.queries.position import read_position
from ledger.queries.sentences import Sentence
from tests.contracts.world import World
from tests.ledger.queries.indexed import Indexed, build, counted, hexed

Edge = tuple[str, str, str, str]  # kind, source node, target node, currency or item id


@pytest.fixture(scope="module")
def indexed(module_world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexed]:
    yield build(module_world, tmp_path_factory.mktemp("flows"))


def expected_edges(ix: Indexed) -> tuple[Counter[Edge], dict[Edge, set[int]]]:
    """Every edge's value and the seqs of the events behind it, from the logs alone."""
    value: Counter[Edge] = Counter()
    behind: dict[Edge, set[int]] = defaultdict(set)
    pool_of: dict[str, str] = {}
    currency_of: dict[str, str] = {}
    lots: dict[str, tuple[str, str]] = {}
    shipments: dict[str, tuple[str, str, int]] = {}
    for e in ix.events:
        a = e.args
        if e.name == "GiftRecorded":
            pool = hexed(a["poolId"])
            currency_of[pool] = a["currency"].decode()
            edge: Edge = ("gift", "donors", f"pool:{pool}", currency_of[pool])
            value[edge] += a["amount"]
            behind[edge].add(e.seq)
        elif e.name == "FundsAllocated":
            pool_of[hexed(a["allocationId"])] = hexed(a["poolId"])
        elif e.name == "PurchaseRecorded":
            pool = pool_of[hexed(a["allocationId"])]
            edge = ("spend", f"pool:{pool}", "purchases", currency_of[pool])
            value[edge] += a["amount"]
            behind[edge].add(e.seq)
        elif e.name == "LotCreated":
            site, item = hexed(a["siteId"]), hexed(a["itemId"])
            lots[hexed(a["lotId"])] = (site, item)
            if a["origin"] in (LotOrigin.IN_KIND_GIFT, LotOrigin.PURCHASE):
                gift = a["origin"] == LotOrigin.IN_KIND_GIFT
                kind, source = ("in_kind", "in_kind") if gift else ("bought", "purchases")
                edge = (kind, source, f"site:{site}", item)
                value[edge] += a["quantity"]
                behind[edge].add(e.seq)
        elif e.name == "ShipmentDispatched":
            shipments[hexed(a["shipmentId"])] = (hexed(a["fromSite"]), hexed(a["toSite"]), e.seq)
        elif e.name == "ShipmentLineDispatched":
            origin, dest, seq = shipments[hexed(a["shipmentId"])]
            edge = ("ship", f"site:{origin}", f"site:{dest}", lots[hexed(a["lotId"])][1])
            value[edge] += a["quantity"]
            behind[edge].add(seq)
        elif e.name == "HandedOver":
            site, item = lots[hexed(a["lotId"])]
            edge = ("hand_over", f"site:{site}", "beneficiaries", item)
            value[edge] += a["quantity"]
            behind[edge].add(e.seq)
    return value, behind


def test_every_edge_value_equals_the_sum_of_its_events(indexed: Indexed) -> None:
    value, _ = expected_edges(indexed)
    with Session(indexed.engine) as session:
        result = flows(session).data
    got = {
        (e.kind, e.source, e.target, e.currency or e.item_id or ""): e.value for e in result.edges
    }
    assert got == dict(value)
    assert {e.kind for e in result.edges} == {
        "gift",
        "spend",
        "in_kind",
        "bought",
        "ship",
        "hand_over",
    }
    names = {n.node_id: n for n in result.nodes}
    assert {e.source for e in result.edges} | {e.target for e in result.edges} == set(names)
    assert names["site:" + indexed.hex("wh_a")].kind == "warehouse"
    assert names["site:" + indexed.hex("hospital")].name == "hospital"
    region = next(n for n in names.values() if n.name == "CNY pool, region CN-GD")
    assert region.label == Sentence("pool_region", {"currency": "CNY", "region": "CN-GD"})
    assert all((n.label is None) == (n.kind != "pool") for n in names.values())


def test_each_edge_lists_the_events_behind_it(indexed: Indexed) -> None:
    _, behind = expected_edges(indexed)
    with Session(indexed.engine) as session:
        at = read_position(session)
        edges = flows(session, at=at).data.edges
        for edge in edges:

            def fetch(cursor: str | None, edge_id: str = edge.edge_id) -> Page[EventRef]:
                return edge_events(session, edge_id, cursor=cursor, limit=2, at=at)

            listed = list(stream(fetch))
            key = (edge.kind, edge.source, edge.target, edge.currency or edge.item_id or "")
            assert [r.seq for r in listed] == sorted(behind[key], reverse=True), key
            assert all(r.tx_hash.startswith("0x") and r.time > 0 for r in listed)


def test_currency_and_item_filters_keep_their_edges(indexed: Indexed) -> None:
    gloves = indexed.hex("gloves", "items")
    with Session(indexed.engine) as session:
        usd = flows(session, currency="USD").data.edges
        only_gloves = flows(session, item=gloves).data.edges
    assert {e.currency for e in usd if e.currency} == {"USD"}
    assert {e.kind for e in usd if e.currency} == {"gift"}  # USD allocated, nothing bought
    assert {e.item_id for e in only_gloves if e.item_id} == {gloves}
    assert {e.kind for e in only_gloves if e.item_id} == {"in_kind", "ship"}


def test_flows_take_eight_queries_and_a_bad_edge_is_refused(indexed: Indexed) -> None:
    with Session(indexed.engine) as session:
        at = read_position(session)
        with counted(session) as statements:
            flows(session, at=at)
        for bad in ("nonsense", "steal|a|b|c", "gift|donors"):
            with pytest.raises(BadFilterError, match="open the flows again"):
                edge_events(session, bad, at=at)
    assert len(statements) == 8  # sites, items, pools, then five sums
