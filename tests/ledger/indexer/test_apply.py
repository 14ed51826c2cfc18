"""Preparing and applying a batch check the sequence and ledger head first: a gap or an altered
event stops the indexer with a clear message, and nothing of the batch is written."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import delete, insert
from sqlmodel import SQLModel

from ledger.chain.events import LedgerChainBrokenError
from ledger.chain.rpc import Rpc
from ledger.chain.types import EarmarkKind, OrgKind
from ledger.indexer.apply import CheckpointMovedError, EventNotAppliedError, apply_batch
from ledger.indexer.fetch import Batch, LogFetcher
from ledger.indexer.prepare import prepare
from ledger.indexer.sync import ensure_state, sync
from tests.contracts.helpers import events, fresh, give
from tests.contracts.world import CNY, World
from tests.ledger.indexer.conftest import mirror
from tests.ledger.indexer.test_reorg import snapshot

ZERO = b"\x00" * 32
T = SQLModel.metadata.tables


def fetched(world: World, rpc: Rpc, db_url: str) -> tuple[object, Batch]:
    for amount in (5, 6, 7):
        give(world, amount)
    engine = mirror(db_url)
    deployment = world.ledger.deployment
    ensure_state(engine, rpc, deployment)
    fetcher = LogFetcher(
        rpc, [deployment.registry, deployment.fund_ledger, deployment.supply_ledger]
    )
    head = world.ledger.client.w3.eth.block_number
    return engine, fetcher.fetch(deployment.deployment_block, head)


def test_missing_event_stops_before_writing(world: World, rpc: Rpc, db_url: str) -> None:
    engine, batch = fetched(world, rpc, db_url)
    before = snapshot(engine)  # type: ignore[arg-type]
    gapped = replace(batch, logs=batch.logs[:10] + batch.logs[11:])
    with pytest.raises(LedgerChainBrokenError, match="missing or repeated"), engine.begin() as conn:  # type: ignore[attr-defined]
        apply_batch(conn, prepare(gapped, world.ledger.deployment.chain_id, 0, ZERO), 0)
    assert snapshot(engine) == before  # type: ignore[arg-type]


@pytest.mark.parametrize(("byte", "message"), [(63, "was altered"), (40, "does not decode")])
def test_altered_event_stops_before_writing(
    world: World, rpc: Rpc, db_url: str, byte: int, message: str
) -> None:
    """Byte 63 is the low byte of a gift's amount; byte 40 is padding of that word."""
    engine, batch = fetched(world, rpc, db_url)
    before = snapshot(engine)  # type: ignore[arg-type]
    last = dict(batch.logs[-1])
    data = bytearray(bytes.fromhex(last["data"][2:]))
    data[byte] ^= 1
    last["data"] = "0x" + data.hex()
    altered = replace(batch, logs=[*batch.logs[:-1], last])
    with pytest.raises(LedgerChainBrokenError, match=message), engine.begin() as conn:  # type: ignore[attr-defined]
        apply_batch(conn, prepare(altered, world.ledger.deployment.chain_id, 0, ZERO), 0)
    assert snapshot(engine) == before  # type: ignore[arg-type]


def test_batch_not_following_checkpoint_is_refused(world: World, rpc: Rpc, db_url: str) -> None:
    engine, batch = fetched(world, rpc, db_url)
    with pytest.raises(CheckpointMovedError), engine.begin() as conn:  # type: ignore[attr-defined]
        shifted = replace(batch, first=batch.first + 1)
        apply_batch(conn, prepare(shifted, world.ledger.deployment.chain_id, 0, ZERO), 0)
    with pytest.raises(CheckpointMovedError, match="continues seq 5"), engine.begin() as conn:  # type: ignore[attr-defined]
        apply_batch(
            conn, prepare(replace(batch, logs=[]), world.ledger.deployment.chain_id, 5, ZERO), 0
        )
    with engine.begin() as conn:  # type: ignore[attr-defined]
        applied = apply_batch(conn, prepare(batch, world.ledger.deployment.chain_id, 0, ZERO), 0)
    assert applied.events == world.ledger.ledger_head()[0]


def test_event_a_handler_cannot_apply_stops_with_its_name_and_what_to_do(
    world: World, rpc: Rpc, db_url: str, tmp_path: Path
) -> None:
    """A pool row deleted from the mirror: the next allocation's handler cannot find its pool.
    The run stops naming the event, and the mirror stays at its checkpoint."""
    give(world, 5_000)
    engine = mirror(db_url)
    sync(engine, rpc, world.ledger.deployment)
    with engine.begin() as conn:
        conn.execute(delete(T["pools"]))
    before = snapshot(engine)
    receipt = world.ledger.allocate_funds(
        world.coordinator, fresh("allocation"), CNY, EarmarkKind.NONE, ZERO, 1_000, ZERO, ZERO
    )
    (event,) = [e for e in events(world, receipt) if e.name == "FundsAllocated"]
    named = (
        f"FundLedger:FundsAllocated seq {event.seq} (block {event.block_number}, "
        f"tx 0x{event.tx_hash.hex()}, log {event.log_index}): KeyError"
    )
    with pytest.raises(EventNotAppliedError) as info:
        sync(engine, rpc, world.ledger.deployment)
    assert named in str(info.value)
    assert "report it" in str(info.value)
    assert snapshot(engine) == before
    deployments = tmp_path / "deployments"
    world.ledger.deployment.save(deployments)
    command = [sys.executable, "-m", "ledger", "index", "--rpc", rpc.url]
    command += ["--database-url", db_url, "--deployments-dir", str(deployments), "--json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: the indexer cannot apply " + named), line
    assert "unchanged at block" in line
    assert snapshot(engine) == before


def test_rows_a_batch_cannot_write_stop_it_naming_its_blocks(
    world: World, rpc: Rpc, db_url: str
) -> None:
    """A row already in the mirror under the id an event creates: the batch's write fails."""
    engine = mirror(db_url)
    sync(engine, rpc, world.ledger.deployment)
    org_id = fresh("org")
    with engine.begin() as conn:
        conn.execute(
            insert(T["organisations"]).values(org_id="0x" + org_id.hex(), kind=1, name="x", seq=0)
        )
    before = snapshot(engine)
    receipt = world.ledger.register_organisation(world.admin, org_id, OrgKind.OTHER, "Late NGO")
    with pytest.raises(EventNotAppliedError) as info:
        sync(engine, rpc, world.ledger.deployment)
    block = receipt["blockNumber"]
    assert f"the indexer cannot apply the rows of blocks {block}..{block}" in str(info.value)
    assert "unique" in str(info.value).lower()  # SQLite's IntegrityError, psycopg's UniqueViolation
    assert "\n" not in str(info.value)
    assert snapshot(engine) == before
