"""Sync end to end, on SQLite and PostgreSQL, against anvil and the devnet."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlmodel import SQLModel

from ledger.chain.rpc import Rpc
from ledger.indexer.lock import IndexerBusyError, writer_lock
from ledger.indexer.sync import SyncOptions, sync
from ledger.indexer.verify import diff_mirrors, verify
from tests.contracts.helpers import give
from tests.contracts.world import World
from tests.ledger.indexer.conftest import mirror
from tests.ledger.indexer.scenario import populate

T = SQLModel.metadata.tables


def count(engine: object, table: str) -> int:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(select(func.count()).select_from(T[table])).scalar_one())


def test_mirror_equals_chain_after_every_kind_of_write(world: World, rpc: Rpc, db_url: str) -> None:
    populate(world)
    engine = mirror(db_url)
    report = sync(engine, rpc, world.ledger.deployment)
    seq, _ = world.ledger.ledger_head()
    assert report.seq == seq and report.events == seq
    assert count(engine, "raw_events") == seq
    assert verify(engine, rpc, world.ledger.deployment) == []
    with engine.connect() as conn:
        lots = {r.lot_id: r for r in conn.execute(select(T["lots"]))}
        for lot_id, row in lots.items():
            assert row.created == row.shipped + row.on_hand + row.handed_over + row.adjusted_out
            assert world.ledger.lot(bytes.fromhex(lot_id[2:]))[2] == row.on_hand
        sources = conn.execute(
            text("SELECT lot_id, SUM(remaining) FROM lot_sources GROUP BY lot_id")
        )
        for lot_id, remaining in sources:
            assert remaining == lots[lot_id].on_hand, "attribution covers exactly what is on hand"


def test_second_run_is_a_no_op_and_new_events_append(world: World, rpc: Rpc, db_url: str) -> None:
    give(world, 100)
    engine = mirror(db_url)
    sync(engine, rpc, world.ledger.deployment)
    before = count(engine, "raw_events")
    assert sync(engine, rpc, world.ledger.deployment).events == 0
    assert count(engine, "raw_events") == before
    give(world, 200)
    give(world, 300)
    assert sync(engine, rpc, world.ledger.deployment).events == 2
    assert count(engine, "raw_events") == before + 2
    assert verify(engine, rpc, world.ledger.deployment) == []


def test_second_indexer_on_same_database_refuses(world: World, rpc: Rpc, db_url: str) -> None:
    engine = mirror(db_url)
    other = mirror(db_url)
    with writer_lock(engine), pytest.raises(IndexerBusyError, match="another indexer"):
        sync(other, rpc, world.ledger.deployment)
    sync(other, rpc, world.ledger.deployment)


def test_follow_picks_up_new_blocks_until_stopped(world: World, rpc: Rpc, db_url: str) -> None:
    engine = mirror(db_url)
    target = world.ledger.ledger_head()[0] + 3
    done = threading.Event()

    def stop() -> bool:
        with engine.connect() as conn:
            seq = conn.execute(text("SELECT seq FROM indexer_state")).scalar()
        return done.is_set() or (seq or 0) >= target

    options = SyncOptions(follow=True, poll_interval=0.05, stop=stop)
    reports = []
    runner = threading.Thread(
        target=lambda: reports.append(sync(engine, rpc, world.ledger.deployment, options))
    )
    runner.start()
    for amount in (1, 2, 3):
        give(world, amount)
    runner.join(timeout=60)
    done.set()
    assert not runner.is_alive()
    assert count(engine, "gifts") == 3
    assert reports[0].seq >= target


def test_confirmations_hold_back_recent_blocks(world: World, rpc: Rpc, db_url: str) -> None:
    engine = mirror(db_url)
    give(world, 10)
    report = sync(engine, rpc, world.ledger.deployment, SyncOptions(confirmations=1))
    assert report.last_block == world.ledger.client.w3.eth.block_number - 1
    assert report.seq == world.ledger.ledger_head()[0] - 1


def test_worker_process_pipeline_gives_the_same_mirror(world: World, rpc: Rpc, db_url: str) -> None:
    populate(world)
    threaded_url = db_url.replace("mirror.sqlite3", "threaded.sqlite3")
    in_thread, in_process = mirror(threaded_url), mirror(db_url)
    if threaded_url == db_url:  # PostgreSQL: compare with a SQLite mirror instead
        in_thread = mirror(f"sqlite:///{tempfile.mkdtemp()}/threaded.sqlite3")
    sync(in_thread, rpc, world.ledger.deployment, SyncOptions(parallel=False, max_span=7))
    report = sync(in_process, rpc, world.ledger.deployment, SyncOptions(parallel=True, max_span=7))
    assert report.batches > 3
    assert diff_mirrors(in_process, in_thread) == []


def test_ctrl_c_during_catch_up_in_the_worker_stops_at_a_checkpoint_without_traceback(
    world: World, rpc: Rpc, tmp_path: Path
) -> None:
    """Ctrl-C on a terminal reaches the whole process group: the indexer and its worker."""
    populate(world)
    mine(world, 600)
    deployments = tmp_path / "deployments"
    world.ledger.deployment.save(deployments)
    url = f"sqlite:///{tmp_path / 'mirror.sqlite3'}"
    engine = mirror(url)  # migrated before the indexer starts: two migrations must not race
    command = [sys.executable, "-m", "ledger", "index", "--follow", "--parallel"]
    command += ["--max-span", "1", "--rpc", rpc.url, "--database-url", url]
    command += ["--deployments-dir", str(deployments)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    start = world.ledger.deployment.deployment_block
    deadline = time.monotonic() + 60
    while checkpoint(engine) < start and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err, err
    assert err.strip().splitlines()[-1] == "interrupted", err
    stopped_at = checkpoint(engine)
    assert start <= stopped_at < world.ledger.client.w3.eth.block_number, ("mid catch-up", err)
    sync(engine, rpc, world.ledger.deployment)  # goes on from the checkpoint
    assert verify(engine, rpc, world.ledger.deployment) == []


def mine(world: World, blocks: int) -> None:
    """Mine empty blocks: `anvil_mine` on anvil, `evm_mine` with a count on the devnet."""
    w3 = world.ledger.client.w3
    before = w3.eth.block_number
    answer = w3.provider.make_request("anvil_mine", [hex(blocks)])  # type: ignore[arg-type]
    if "error" in answer:
        w3.provider.make_request("evm_mine", [{"blocks": blocks}])  # type: ignore[arg-type]
    assert w3.eth.block_number >= before + blocks


def checkpoint(engine: Engine) -> int:
    with engine.connect() as conn:
        last = conn.execute(select(T["indexer_state"].c.last_block)).scalar()
    return int(last or 0)
