"""The mirror's attribution tables follow docs/attribution.md: worked examples from the doc on a
real chain, gift ids shared by the two gift namespaces, and a purchase no gift paid for."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Engine, text

from ledger.chain.events import decode_log
from ledger.chain.ids import ZERO32, region_earmark
from ledger.chain.rpc import Rpc
from ledger.chain.types import (
    AdjustmentReason,
    BeneficiaryUnit,
    DiscrepancyReason,
    EarmarkKind,
    ReceiptLine,
)
from ledger.indexer import attribution
from ledger.indexer.rows import Unit
from ledger.indexer.sync import sync
from ledger.store.db import make_engine, upgrade
from tests.contracts.helpers import (
    allocate,
    fresh,
    give,
    in_kind_input,
    need,
    purchase_input,
    ship,
)
from tests.contracts.world import World
from tests.ledger.indexer.attribution_reference import COLUMNS, attribute
from tests.ledger.indexer.conftest import mirror


def chain_events(world: World, rpc: Rpc) -> list[tuple[str, dict[str, Any]]]:
    """Every sequenced event on chain, decoded straight from the node's logs, bytes as hex."""
    deployment = world.ledger.deployment
    logs = rpc.call(
        "eth_getLogs",
        [
            {
                "fromBlock": hex(deployment.deployment_block),
                "toBlock": "latest",
                "address": [
                    deployment.registry,
                    deployment.fund_ledger,
                    deployment.supply_ledger,
                ],
            }
        ],
    )
    decoded = [e for e in (decode_log(log) for log in logs) if e is not None]
    decoded.sort(key=lambda e: e.seq)
    return [
        (e.name, {k: "0x" + v.hex() if isinstance(v, bytes) else v for k, v in e.args.items()})
        for e in decoded
    ]


def mirror_tables(engine: Engine) -> dict[str, set[tuple[Any, ...]]]:
    """The mirror's four attribution tables as sets of tuples."""
    with engine.connect() as conn:
        return {
            table: {tuple(r) for r in conn.execute(text(f"SELECT {columns} FROM {table}"))}
            for table, columns in COLUMNS.items()
        }


def index(world: World, rpc: Rpc, engine: Engine) -> None:
    """Run the real indexer up to the chain's head."""
    sync(engine, rpc, world.ledger.deployment)


def lot_units(engine: Engine, lot_id: bytes) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT gift_id, quantity FROM lot_sources WHERE lot_id = :lot ORDER BY gift_seq"),
            {"lot": "0x" + lot_id.hex()},
        )
        return [(str(g), int(q)) for g, q in found]


def test_496_units_paid_by_four_gifts_split_18_6_1_471(world: World, rpc: Rpc, db_url: str) -> None:
    """The doc's example: floor shares 17/5/1/471 leave 2 units, one each to the two earliest."""
    gifts = [give(world, amount).gift_id for amount in (20_096, 5_923, 1_961, 539_972)]
    allocation_id = allocate(world, 567_952)
    purchase = purchase_input(world, allocation_id, amount=567_952, quantity=496)
    world.ledger.record_purchase(world.coordinator, purchase)
    engine = mirror(db_url)
    index(world, rpc, engine)
    expected = list(zip(["0x" + g.hex() for g in gifts], [18, 6, 1, 471], strict=True))
    assert lot_units(engine, purchase.lot_id) == expected
    assert mirror_tables(engine) == attribute(chain_events(world, rpc))
    engine.dispose()


def test_release_returns_each_gift_its_own_unspent_money(
    world: World, rpc: Rpc, db_url: str
) -> None:
    """The doc's release example: A1 takes G1 and half of G2, A2 a part of G2's rest; A1 spends
    60 and is released: G1 gets 40 back and G2 50, and the next allocation takes G1 first."""
    g1, g2 = (give(world, 100).gift_id for _ in range(2))
    a1 = allocate(world, 150)
    allocate(world, 30)
    world.ledger.record_purchase(
        world.coordinator, purchase_input(world, a1, amount=60, quantity=6)
    )
    world.ledger.release_allocation(world.coordinator, a1)
    a3 = allocate(world, 100)
    engine = mirror(db_url)
    index(world, rpc, engine)
    with engine.connect() as conn:
        links = conn.execute(
            text(
                "SELECT gift_id, amount FROM gift_allocations WHERE allocation_id = :a "
                "ORDER BY gift_seq"
            ),
            {"a": "0x" + a3.hex()},
        ).all()
    assert [tuple(r) for r in links] == [("0x" + g1.hex(), 40), ("0x" + g2.hex(), 60)]
    assert mirror_tables(engine) == attribute(chain_events(world, rpc))
    engine.dispose()


@pytest.mark.parametrize("batches", ["one batch", "two batches"])
def test_money_and_in_kind_gift_with_one_id_both_index(
    world: World, rpc: Rpc, db_url: str, batches: str
) -> None:
    """Two namespaces on chain, two rows in the mirror, amounts intact (it used to stop on a
    UNIQUE constraint, or silently replace the money gift when both fell in one batch)."""
    engine = mirror(db_url)
    index(world, rpc, engine)
    money = give(world, 100_000)
    if batches == "two batches":
        index(world, rpc, engine)
    goods = replace(in_kind_input(world, 250), gift_id=money.gift_id)
    world.ledger.record_in_kind_gift(world.intake, goods)
    report = sync(engine, rpc, world.ledger.deployment)
    assert (report.batches, report.events) == ((1, 3) if batches == "one batch" else (1, 2))
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT kind, amount, lot_id FROM gifts WHERE gift_id = :g ORDER BY kind"),
            {"g": "0x" + money.gift_id.hex()},
        ).all()
    assert [tuple(r) for r in rows] == [
        ("in_kind", 0, "0x" + goods.lot_id.hex()),
        ("money", 100_000, None),
    ]
    assert lot_units(engine, goods.lot_id) == [("0x" + money.gift_id.hex(), 250)]
    assert mirror_tables(engine) == attribute(chain_events(world, rpc))
    engine.dispose()


def test_zero_references_are_null(world: World, rpc: Rpc, db_url: str) -> None:
    """No pledge, no earmark, no need, no purpose: NULL, never all-zero hex."""
    give(world, 10, kind=EarmarkKind.NONE, earmark=ZERO32)
    allocate(world, 10)
    engine = mirror(db_url)
    index(world, rpc, engine)
    with engine.connect() as conn:
        gift = conn.execute(text("SELECT earmark, pledge_id FROM gifts")).one()
        pool = conn.execute(text("SELECT earmark FROM pools")).one()
        allocation = conn.execute(text("SELECT need_id, purpose FROM allocations")).one()
    assert (*gift, *pool, *allocation) == (None, None, None, None, None)
    engine.dispose()


def test_purchase_no_gift_paid_for_makes_unattributed_units(db_url: str) -> None:
    """A purchase of amount 0 (refused by the contracts now, accepted by older ones) must not
    stop the indexer: its lot's units are unattributed."""
    upgrade(db_url)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        unit = Unit(conn, journal_from_block=10**9)
        attribution.spend(unit, "a1", "p1", 0)
        attribution.new_lot(unit, "l1")
        attribution.purchased_lot(unit, "l1", "p1", 7)
        attribution.new_lot(unit, "l2")
        attribution.take(unit, "l1", "line", "s1:0", 3)
        unit.flush()
    tables = mirror_tables(engine)
    assert tables["gift_purchases"] == set()
    assert tables["lot_sources"] == {("l1", "unattributed", "0x", 0, 7, 4)}
    assert tables["flow_sources"] == {("line", "s1:0", "unattributed", "0x", 0, 3)}
    engine.dispose()


@pytest.mark.parametrize(
    ("quantity", "amounts", "shares"),
    [
        (496, [20_096, 5_923, 1_961, 539_972], [18, 6, 1, 471]),
        (10, [1, 1, 1], [4, 3, 3]),
        (1, [5, 5], [1, 0]),
        (0, [5, 5], [0, 0]),
        (7, [], []),
        (7, [0], []),
    ],
)
def test_pro_rata_floors_then_gives_the_remainder_to_the_earliest(
    quantity: int, amounts: list[int], shares: list[int]
) -> None:
    assert attribution.pro_rata(quantity, amounts) == shares


def parts(engine: Engine, table: str, column: str, value: bytes | str) -> list[tuple[str, int]]:
    """(gift id, or 'unattributed') and size of each part, in gift order."""
    size = "remaining" if table == "lot_sources" else "quantity"
    key = value if isinstance(value, str) else "0x" + value.hex()
    with engine.connect() as conn:
        found = conn.execute(
            text(
                f"SELECT gift_kind, gift_id, {size} FROM {table} WHERE {column} = :v "
                f"AND {size} > 0 ORDER BY gift_seq"
            ),
            {"v": key},
        )
        return [(str(g) if k != "unattributed" else k, int(n)) for k, g, n in found]


def test_worked_example_of_the_doc_goods(world: World, rpc: Rpc, db_url: str) -> None:
    """docs/attribution.md, the second table: a purchased lot's split, a line received short,
    hand-overs, an expiry and a count correction."""
    ledger = world.ledger
    region = region_earmark("CN-HB")
    g3, g4 = (give(world, a, kind=EarmarkKind.REGION, earmark=region).gift_id for a in (1_500, 500))
    a4 = allocate(world, 2_000, EarmarkKind.REGION, region, need_id=need(world, 10_000))
    p2 = purchase_input(world, a4, amount=1_600, quantity=1_000)
    ledger.record_purchase(world.coordinator, p2)
    shipment = ship(world, p2.lot_id, 950)
    ledger.receive_shipment(
        world.hospital, shipment, [ReceiptLine(0, 940, DiscrepancyReason.DAMAGED)]
    )
    r = bytes(ledger.view("supply", "receiptLotId", shipment, 0))
    need_id = need(world, 10_000)
    h1, h2 = fresh("h"), fresh("h")
    ledger.record_hand_over(world.hospital, h1, r, need_id, 500, 1, BeneficiaryUnit.PEOPLE)
    ledger.record_adjustment(world.wh_a, fresh("adj"), p2.lot_id, -5, AdjustmentReason.EXPIRED)
    ledger.record_adjustment(world.hospital, fresh("adj"), r, 3, AdjustmentReason.COUNT_CORRECTION)
    ledger.record_hand_over(world.hospital, h2, r, need_id, 10, 1, BeneficiaryUnit.PEOPLE)
    engine = mirror(db_url)
    index(world, rpc, engine)
    G3, G4 = "0x" + g3.hex(), "0x" + g4.hex()  # noqa: N806
    line = f"0x{shipment.hex()}:0"
    with engine.connect() as conn:
        made = conn.execute(
            text("SELECT gift_id, quantity FROM lot_sources WHERE lot_id = :l ORDER BY gift_seq"),
            {"l": "0x" + p2.lot_id.hex()},
        ).all()
    assert [tuple(m) for m in made] == [(G3, 938), (G4, 62)]
    assert parts(engine, "flow_sources", "flow_id", line) == [(G3, 938), (G4, 12)]
    assert parts(engine, "flow_sources", "flow_id", h1) == [(G3, 500)]
    assert parts(engine, "flow_sources", "flow_id", h2) == [("unattributed", 3), (G3, 7)]
    assert parts(engine, "lot_sources", "lot_id", p2.lot_id) == [(G4, 45)]
    assert parts(engine, "lot_sources", "lot_id", r) == [(G3, 431), (G4, 2)]
    with engine.connect() as conn:  # R: a count correction and no removal, so signed (-3)
        adjusted = conn.execute(
            text("SELECT created, on_hand, handed_over, adjusted_out FROM lots WHERE lot_id = :l"),
            {"l": "0x" + r.hex()},
        ).one()
    assert tuple(adjusted) == (940, 433, 510, -3)
    assert mirror_tables(engine) == attribute(chain_events(world, rpc))
    engine.dispose()
