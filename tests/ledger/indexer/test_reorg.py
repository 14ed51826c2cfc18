"""Reorgs made with `anvil_reorg` on anvil and on the devnet: the mirror rolls back to the
common ancestor from its journal and re-applies; a reorg past finality stops it untouched."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import SQLModel

from ledger.chain.bindings import INTAKE_ROLE
from ledger.chain.rpc import Rpc
from ledger.indexer.reorg import ReorgTooDeepError
from ledger.indexer.sync import SyncOptions, sync
from ledger.indexer.verify import diff_mirrors, verify
from tests.contracts.helpers import gift_input, give
from tests.contracts.world import World
from tests.ledger.indexer.conftest import mirror


def snapshot(engine: Engine) -> dict[str, list[Any]]:
    """Every table's rows, for comparing a mirror before and after."""
    out = {}
    with engine.connect() as conn:
        for name, table in SQLModel.metadata.tables.items():
            out[name] = sorted(map(tuple, conn.execute(select(table)).all()), key=repr)
    return out


def replacement_gifts(world: World, count: int) -> list[list[Any]]:
    """Gift transactions from the node's first dev account (granted intake) for the new blocks."""
    w3 = world.ledger.client.w3
    sender = w3.eth.accounts[0]
    txs = []
    for offset in range(count):
        data = world.ledger.fund.functions.recordGift(
            gift_input(77 + offset).as_abi()
        )._encode_transaction_data()
        txs.append(
            [
                {
                    "from": sender,
                    "to": world.ledger.deployment.fund_ledger,
                    "data": data,
                    "gas": hex(500_000),
                },
                offset,
            ]
        )
    return txs


def reorg(world: World, depth: int, new_gift_blocks: int) -> None:
    w3 = world.ledger.client.w3
    w3.provider.make_request("anvil_reorg", [depth, replacement_gifts(world, new_gift_blocks)])  # type: ignore[arg-type]


def grow(world: World, blocks: int) -> None:
    """One money gift per block."""
    for i in range(blocks):
        give(world, 10 + i)


@pytest.mark.parametrize("depth", [1, 3, 17, 64])
def test_reorg_rolls_back_and_reapplies(world: World, rpc: Rpc, db_url: str, depth: int) -> None:
    w3 = world.ledger.client.w3
    world.ledger.grant_role(world.admin, INTAKE_ROLE, w3.eth.accounts[0])
    grow(world, depth + 3)
    engine = mirror(db_url)
    sync(engine, rpc, world.ledger.deployment, SyncOptions(finality=64))
    reorg(world, depth, new_gift_blocks=min(depth, 3))
    report = sync(engine, rpc, world.ledger.deployment, SyncOptions(finality=64))
    assert report.reorgs >= 1
    assert report.seq == world.ledger.ledger_head()[0]
    fresh = (
        mirror(db_url.replace("mirror.sqlite3", "fresh.sqlite3"))
        if db_url.startswith("sqlite")
        else None
    )
    if fresh is not None:
        sync(fresh, rpc, world.ledger.deployment)
        assert diff_mirrors(engine, fresh) == []
    assert verify(engine, rpc, world.ledger.deployment) == []


def test_reorg_past_finality_stops_with_mirror_unchanged(
    world: World, rpc: Rpc, db_url: str
) -> None:
    grow(world, 12)
    engine = mirror(db_url)
    sync(engine, rpc, world.ledger.deployment, SyncOptions(finality=4))
    before = snapshot(engine)
    reorg(world, 8, new_gift_blocks=0)
    with pytest.raises(ReorgTooDeepError, match="deeper than the finality depth"):
        sync(engine, rpc, world.ledger.deployment, SyncOptions(finality=4))
    assert snapshot(engine) == before


def test_reorg_within_finality_after_follow_up_blocks(world: World, rpc: Rpc, db_url: str) -> None:
    """A reorg detected only after more blocks arrived: the checkpoint itself moved."""
    w3 = world.ledger.client.w3
    world.ledger.grant_role(world.admin, INTAKE_ROLE, w3.eth.accounts[0])
    grow(world, 6)
    engine = mirror(db_url)
    sync(engine, rpc, world.ledger.deployment)
    reorg(world, 2, new_gift_blocks=2)
    grow(world, 3)
    sync(engine, rpc, world.ledger.deployment)
    assert verify(engine, rpc, world.ledger.deployment) == []
