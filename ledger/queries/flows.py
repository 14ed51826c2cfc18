"""The flows of the overview's Sankey, and the transactions behind each edge.

Money: donors -> pool (gifts) -> purchases (money spent from the pool's allocations). Goods:
in-kind gifts -> warehouse and purchases -> warehouse (units of the lots created there), site ->
site (units dispatched on shipment lines), recipient site -> beneficiaries (units handed over).
Money edges carry a currency, goods edges an item, so a chart shows one unit at a time (filter
with `currency` / `item`). Every edge has an `edge_id`; `edge_events(edge_id)` lists the ledger
events behind its value, newest first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlmodel import Session, SQLModel, col

from ledger.chain.types import EarmarkKind, LotOrigin, SiteKind
from ledger.queries._refs import EVENT_COLUMNS, event_ref, with_event
from ledger.queries.funds import region_of
from ledger.queries.models import EventRef, Page, Position, Result
from ledger.queries.pages import DEFAULT_LIMIT, BadFilterError, keyset, page
from ledger.queries.position import position_or_read
from ledger.queries.sentences import Sentence, code, english
from ledger.store.models import (
    Allocation,
    Gift,
    HandOver,
    Item,
    Lot,
    Pool,
    Purchase,
    RawEvent,
    Shipment,
    ShipmentLine,
    Site,
)

DONORS, PURCHASES, IN_KIND, BENEFICIARIES = "donors", "purchases", "in_kind", "beneficiaries"
EDGE_KINDS = ("gift", "spend", "in_kind", "bought", "ship", "hand_over")


class FlowNode(SQLModel):
    """A node: `donors`, `purchases`, `in_kind`, `beneficiaries`, `pool:<id>` or `site:<id>`.
    A pool's name is made, not registered: `label` is it as a sentence (for any language),
    `name` its English."""

    node_id: str
    kind: str  # donors, pool, purchases, in_kind, warehouse, recipient, beneficiaries
    name: str
    currency: str | None = None
    region: str | None = None
    label: Sentence | None = None


class FlowEdge(SQLModel):
    """`value` minor units of `currency` (money) or units of `item` (goods) from source to
    target; `edge_id` names it for `edge_events`."""

    edge_id: str
    kind: str  # gift, spend, in_kind, bought, ship, hand_over
    source: str
    target: str
    currency: str | None
    item_id: str | None
    item: str | None
    value: int


class Flows(SQLModel):
    """The Sankey: its nodes and edges (edges in a stable order: kind, source, target)."""

    nodes: list[FlowNode]
    edges: list[FlowEdge]


def _pool_label(pool: Pool) -> Sentence:
    if pool.earmark_kind == EarmarkKind.NONE:
        return Sentence("pool", {"currency": pool.currency})
    if pool.earmark_kind == EarmarkKind.REGION:
        region = region_of(pool.earmark) or (pool.earmark or "")[:10] + "…"
        return Sentence("pool_region", {"currency": pool.currency, "region": region})
    return Sentence(
        "pool_earmarked",
        {
            "currency": pool.currency,
            "earmark": code("earmark_kind", pool.earmark_kind),
            "id": (pool.earmark or "")[:10] + "…",
        },
    )


def flows(
    session: Session,
    *,
    currency: str | None = None,
    item: str | None = None,
    at: Position | None = None,
) -> Result[Flows]:
    """Every edge with a value above 0; `currency` keeps money edges of that currency, `item`
    goods edges of that item (8 queries with `at` given)."""
    position = position_or_read(session, at)
    sites = {s.site_id: s for s in session.execute(select(Site)).scalars()}
    items = {i.item_id: i for i in session.execute(select(Item)).scalars()}
    pools = {p.pool_id: p for p in session.execute(select(Pool)).scalars()}
    edges = [
        *_money_edges(session, pools, currency),
        *_goods_edges(session, items, item),
    ]
    edges.sort(key=lambda e: (EDGE_KINDS.index(e.kind), e.source, e.target, e.edge_id))
    used = {e.source for e in edges} | {e.target for e in edges}
    nodes = [_node(n, sites, pools) for n in sorted(used)]
    return Result[Flows](data=Flows(nodes=nodes, edges=edges), position=position)


def _node(node_id: str, sites: dict[str, Site], pools: dict[str, Pool]) -> FlowNode:
    prefix, _, key = node_id.partition(":")
    if prefix == "pool":
        pool, label = pools[key], _pool_label(pools[key])
        return FlowNode(
            node_id=node_id, kind="pool", name=english(label), currency=pool.currency, label=label
        )
    if prefix == "site":
        site = sites[key]
        kind = "warehouse" if site.kind == SiteKind.WAREHOUSE else "recipient"
        return FlowNode(node_id=node_id, kind=kind, name=site.name, region=site.region)
    return FlowNode(node_id=node_id, kind=node_id, name=node_id.replace("_", "-"))


def _edge(
    kind: str, source: str, target: str, unit: str, value: Any, items: dict[str, Item]
) -> FlowEdge:
    money = kind in ("gift", "spend")
    return FlowEdge(
        edge_id=f"{kind}|{source}|{target}|{unit}",
        kind=kind,
        source=source,
        target=target,
        currency=unit if money else None,
        item_id=None if money else unit,
        item=None if money else items[unit].name,
        value=int(value),
    )


def _money_edges(session: Session, pools: dict[str, Pool], currency: str | None) -> list[FlowEdge]:
    given = select(col(Gift.pool_id), func.sum(col(Gift.amount))).where(col(Gift.kind) == "money")
    spent = (
        select(col(Allocation.pool_id), func.sum(col(Purchase.amount)))
        .select_from(Purchase)
        .join(Allocation, col(Allocation.allocation_id) == col(Purchase.allocation_id))
    )
    edges = []
    for kind, query in (("gift", given), ("spend", spent)):
        for pool_id, value in session.execute(query.group_by(query.selected_columns[0])).all():
            unit = pools[pool_id].currency
            if not value or (currency is not None and unit != currency):
                continue
            ends = (DONORS, f"pool:{pool_id}") if kind == "gift" else (f"pool:{pool_id}", PURCHASES)
            edges.append(_edge(kind, *ends, unit, value, {}))
    return edges


def _goods_edges(session: Session, items: dict[str, Item], item: str | None) -> list[FlowEdge]:
    made = (
        select(col(Lot.origin), col(Lot.site_id), col(Lot.item_id), func.sum(col(Lot.created)))
        .where(col(Lot.origin).in_([LotOrigin.IN_KIND_GIFT, LotOrigin.PURCHASE]))
        .group_by(col(Lot.origin), col(Lot.site_id), col(Lot.item_id))
    )
    shipped = (
        select(
            col(Shipment.from_site),
            col(Shipment.to_site),
            col(Lot.item_id),
            func.sum(col(ShipmentLine.quantity)),
        )
        .select_from(ShipmentLine)
        .join(Shipment, col(Shipment.shipment_id) == col(ShipmentLine.shipment_id))
        .join(Lot, col(Lot.lot_id) == col(ShipmentLine.lot_id))
        .group_by(col(Shipment.from_site), col(Shipment.to_site), col(Lot.item_id))
    )
    handed = (
        select(col(Lot.site_id), col(Lot.item_id), func.sum(col(HandOver.quantity)))
        .select_from(HandOver)
        .join(Lot, col(Lot.lot_id) == col(HandOver.lot_id))
        .group_by(col(Lot.site_id), col(Lot.item_id))
    )
    found: list[tuple[str, str, str, str, Any]] = []
    for origin, site, item_id, value in session.execute(made).all():
        source = IN_KIND if origin == LotOrigin.IN_KIND_GIFT else PURCHASES
        kind = "in_kind" if origin == LotOrigin.IN_KIND_GIFT else "bought"
        found.append((kind, source, f"site:{site}", item_id, value))
    for origin, dest, item_id, value in session.execute(shipped).all():
        found.append(("ship", f"site:{origin}", f"site:{dest}", item_id, value))
    for site, item_id, value in session.execute(handed).all():
        found.append(("hand_over", f"site:{site}", BENEFICIARIES, item_id, value))
    return [
        _edge(kind, source, target, unit, value, items)
        for kind, source, target, unit, value in found
        if value and (item is None or unit == item)
    ]


def _parse(edge_id: str) -> tuple[str, str, str, str]:
    parts = edge_id.split("|")
    if len(parts) != 4 or parts[0] not in EDGE_KINDS:
        raise BadFilterError(f"no flow {edge_id!r}: open the flows again and follow an edge")
    kind, source, target, unit = parts
    return kind, source.partition(":")[2], target.partition(":")[2], unit


def _behind(kind: str, source: str, target: str, unit: str) -> tuple[Any, Any]:
    """(the query of rows behind an edge, their seq column)."""
    if kind == "gift":
        where = and_(col(Gift.kind) == "money", col(Gift.pool_id) == target)
        return select(*EVENT_COLUMNS).select_from(Gift).where(where), col(Gift.seq)
    if kind == "spend":
        query = (
            select(*EVENT_COLUMNS)
            .select_from(Purchase)
            .join(Allocation, col(Allocation.allocation_id) == col(Purchase.allocation_id))
            .where(col(Allocation.pool_id) == source)
        )
        return query, col(Purchase.seq)
    if kind in ("in_kind", "bought"):
        origin = LotOrigin.IN_KIND_GIFT if kind == "in_kind" else LotOrigin.PURCHASE
        where = and_(
            col(Lot.origin) == origin, col(Lot.site_id) == target, col(Lot.item_id) == unit
        )
        return select(*EVENT_COLUMNS).select_from(Lot).where(where), col(Lot.seq)
    if kind == "ship":
        line_of_item = exists().where(
            col(ShipmentLine.shipment_id) == col(Shipment.shipment_id),
            col(Lot.lot_id) == col(ShipmentLine.lot_id),
            col(Lot.item_id) == unit,
        )
        where = and_(col(Shipment.from_site) == source, col(Shipment.to_site) == target)
        query = select(*EVENT_COLUMNS).select_from(Shipment).where(where, line_of_item)
        return query, col(Shipment.seq)
    query = (
        select(*EVENT_COLUMNS)
        .select_from(HandOver)
        .join(Lot, col(Lot.lot_id) == col(HandOver.lot_id))
        .where(col(Lot.site_id) == source, col(Lot.item_id) == unit)
    )
    return query, col(HandOver.seq)


def edge_events(
    session: Session,
    edge_id: str,
    *,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    at: Position | None = None,
) -> Page[EventRef]:
    """The events behind an edge, newest first: gifts into the pool, purchases paid from it,
    lots created, shipments dispatched (with a line of the item), hand-overs."""
    position = position_or_read(session, at)
    query, seq = _behind(*_parse(edge_id))
    rows = session.execute(keyset(with_event(query, seq), (col(RawEvent.seq),), cursor, limit))
    return page(rows.all(), limit, lambda r: (r[0],), event_ref, position)
