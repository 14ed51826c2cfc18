"""One scenario written on the devnet, indexed into SQLite, with its raw logs for independent
sums: each query test module builds it once (`build`) and reads it in every test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session

from ledger.chain.events import DecodedEvent, decode_log
from ledger.chain.ids import ZERO32, label, region_earmark
from ledger.chain.rpc import Rpc
from ledger.chain.types import BeneficiaryUnit, EarmarkKind, ReceiptLine
from ledger.indexer.sync import sync
from ledger.store.db import make_engine, upgrade
from tests.contracts.helpers import allocate, fresh, give, need, ship, stock
from tests.contracts.world import USD, World
from tests.ledger.indexer.scenario import populate
from tests.ledger.queries.conftest import index

DAY = 86_400


@dataclass
class Indexed:
    """The world after the scenario, its mirror and every sequenced event from eth_getLogs."""

    world: World
    engine: Engine
    events: list[DecodedEvent]

    def named(self, *names: str) -> list[DecodedEvent]:
        """The events of these names, in seq order."""
        return [e for e in self.events if e.name in names]

    def hex(self, key: str, kind: str = "sites") -> str:
        """A world id (site, item, org) as 0x hex."""
        ids: dict[str, bytes] = getattr(self.world, kind)
        return "0x" + ids[key].hex()


def extras(world: World) -> None:
    """Beyond `populate`: a named donor, a USD gift, a region gift, a need due in a day, a
    shipment still in transit, a pledge paid in part, a need met in full and one closed."""
    give(world, 4_000, public_name="Acme <b>Ltd</b>")
    give(world, 900, currency=USD)
    give(world, 600, kind=EarmarkKind.REGION, earmark=region_earmark("CN-GD"))
    pledge_id = fresh("pledge")
    world.ledger.record_pledge(
        world.intake, pledge_id, USD, 5_000, EarmarkKind.NONE, ZERO32, label("d2"), 0
    )
    give(world, 1_200, currency=USD, pledge_id=pledge_id)
    allocate(world, 1_000, currency=USD)
    deadline = int(world.ledger.client.w3.eth.get_block("latest")["timestamp"]) + DAY
    world.ledger.post_need(
        world.hospital, fresh("need"), world.sites["clinic"], world.items["gloves"], 50, 2, deadline
    )
    need(world, 30)
    gloves = stock(world, 80, site="wh_b", item="gloves")
    ship(world, gloves, 25, sender="wh_b", to="clinic")
    met, closed = need(world, 10), need(world, 5)
    sent = ship(world, stock(world, 20), 20)
    world.ledger.receive_shipment(world.hospital, sent, [ReceiptLine(0, 20)])
    arrived = bytes(world.ledger.view("supply", "receiptLotId", sent, 0))
    world.ledger.record_hand_over(
        world.hospital, fresh("h"), arrived, met, 10, 5, BeneficiaryUnit.HOUSEHOLDS
    )
    world.ledger.close_need(world.hospital, closed)


def build(world: World, directory: Path) -> Indexed:
    """Write the scenario (populate twice, then extras), index it, read back the logs."""
    populate(world, rounds=2)
    extras(world)
    engine = index(world, directory)
    d = world.ledger.deployment
    logs = world.ledger.client.w3.eth.get_logs(
        {
            "fromBlock": d.deployment_block,
            "toBlock": "latest",
            "address": [d.registry, d.fund_ledger, d.supply_ledger],  # type: ignore[typeddict-item]
        }
    )
    decoded = [decode_log(dict(log)) for log in logs]
    events = sorted((e for e in decoded if e is not None), key=lambda e: e.seq)
    return Indexed(world, engine, events)


def index_into(world: World, url: str) -> Engine:
    """Index the chain into the mirror at `url` (SQLite or PostgreSQL); its engine."""
    upgrade(url)
    engine = make_engine(url)
    endpoint = world.ledger.client.w3.provider.endpoint_uri  # type: ignore[attr-defined]
    sync(engine, Rpc(str(endpoint), timeout=30), world.ledger.deployment)
    return engine


def hexed(value: Any) -> str:
    """A decoded bytes argument as the mirror's 0x hex."""
    return "0x" + bytes(value).hex()


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    """The SQL statements `session` runs inside the block."""
    statements: list[str] = []
    engine = session.get_bind()

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
