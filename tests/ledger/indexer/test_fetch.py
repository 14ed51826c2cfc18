"""Adaptive log fetching and a whole sync through a faulty provider (the fault-injecting proxy)."""

from __future__ import annotations

import os
import threading
import time
import zlib
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from ledger.chain.rpc import RangeRefusedError
from ledger.indexer.fetch import Batch, LogFetcher
from ledger.indexer.sync import SyncOptions, sync
from ledger.indexer.verify import verify
from tests.contracts.world import World
from tests.ledger.indexer.bulk import gift_batches, mine_empty
from tests.ledger.indexer.conftest import fast_rpc, mirror, rpc_url
from tests.ledger.indexer.rpc_proxy import FAULTS, STALE_LOGS, FaultPlan, RpcProxy
from tests.ledger.indexer.scenario import populate

SEED = int(os.environ.get("AIDLEDGER_FAULT_SEED", "20200123"))
# Every fault, slow answers (which cost a client timeout each) a tenth as often as the others.
LOGS = frozenset({"eth_getLogs"})
RARE_TIMEOUTS = tuple(f for f in FAULTS if f != "timeout") * 10 + ("timeout",)


def addresses(world: World) -> list[str]:
    d = world.ledger.deployment
    return [d.registry, d.fund_ledger, d.supply_ledger]


def fetcher(world: World, url: str, **kw: Any) -> LogFetcher:
    return LogFetcher(fast_rpc(url, timeout=kw.pop("timeout", 5.0)), addresses(world), **kw)


def all_batches(world: World, f: LogFetcher) -> list[Batch]:
    head = int(f.rpc.call("eth_blockNumber", []), 16)
    batches = [f.fetch(world.ledger.deployment.deployment_block, head)]
    while batches[-1].last < head:
        batches.append(f.fetch(batches[-1].last + 1, head))
    return batches


def direct_logs(world: World) -> list[tuple[int, int]]:
    """Every log of ours, asked of the node in one go: (block, log index)."""
    query = {"fromBlock": hex(world.ledger.deployment.deployment_block), "toBlock": "latest"}
    logs = fast_rpc(rpc_url(world)).call("eth_getLogs", [query | {"address": addresses(world)}])
    return [(int(log["blockNumber"], 16), int(log["logIndex"], 16)) for log in logs]


def keys(batches: list[Batch]) -> list[tuple[int, int]]:
    return [(int(g["blockNumber"], 16), int(g["logIndex"], 16)) for b in batches for g in b.logs]


def assert_contiguous(batches: list[Batch], first: int) -> None:
    for batch in batches:
        assert batch.first == first and batch.last >= batch.first
        assert {first - 1, batch.last} <= batch.headers.keys()
        first = batch.last + 1


def test_wide_range_refused_is_split_and_every_log_comes_once(
    proxy: RpcProxy, world: World
) -> None:
    gift_batches(world, 120, per_tx=40)
    proxy.set_plan(FaultPlan(max_range=4))
    f = fetcher(world, proxy.url, initial_span=64)
    batches = all_batches(world, f)
    assert f.refusals >= 4 and proxy.stats.injected["range_too_large"] == f.refusals
    assert max(b.last - b.first + 1 for b in batches) <= 4
    assert_contiguous(batches, world.ledger.deployment.deployment_block)
    assert keys(batches) == direct_logs(world)


def test_too_many_results_shrinks_the_span_and_sparse_blocks_grow_it_back(
    proxy: RpcProxy, world: World
) -> None:
    gift_batches(world, 150, per_tx=50)
    mine_empty(world, 40)
    proxy.set_plan(FaultPlan(log_limit=60))
    f = fetcher(world, proxy.url, initial_span=64, target_logs=100)
    batches = all_batches(world, f)
    spans = [b.last - b.first + 1 for b in batches]
    dense = [s for b, s in zip(batches, spans, strict=True) if len(b.logs) == 50]
    assert dense and max(dense) <= 2, "a span holding two 50-log blocks is refused"
    assert spans[-2] > max(dense), "the span grew again over the empty blocks"
    assert proxy.stats.injected["too_many_results"] == f.refusals >= 2
    assert keys(batches) == direct_logs(world)


def test_single_block_over_the_result_limit_stops_loudly(proxy: RpcProxy, world: World) -> None:
    gift_batches(world, 30, per_tx=30)
    proxy.set_plan(FaultPlan(log_limit=20))
    with pytest.raises(RangeRefusedError, match="more than 20 results"):
        all_batches(world, fetcher(world, proxy.url, initial_span=64))


def test_slow_log_query_halves_the_span_without_losing_logs(proxy: RpcProxy, world: World) -> None:
    gift_batches(world, 60, per_tx=20)
    only_logs = frozenset({"eth_getLogs"})
    proxy.set_plan(
        FaultPlan(rate=1.0, faults=("timeout",), delay=0.8, budget=2, only_methods=only_logs)
    )
    f = fetcher(world, proxy.url, initial_span=4096, timeout=0.4)
    batches = all_batches(world, f)
    assert f.refusals == 2 and proxy.stats.injected["timeout"] == 2
    assert batches[0].last - batches[0].first + 1 <= 1024
    assert keys(batches) == direct_logs(world)


def test_sync_through_a_faulty_provider_misses_and_doubles_nothing(
    proxy: RpcProxy, world: World, db_url: str
) -> None:
    """Hundreds of events; half of all requests fail in one of eleven ways (a seed per node and
    database), log ranges are capped and answers shuffled. Each event must land exactly once."""
    populate(world, rounds=2)
    gift_batches(world, 300, per_tx=50)
    proxy.set_plan(
        FaultPlan(
            seed=SEED + zlib.crc32(f"{world.backend} {db_url.split(':', 1)[0]}".encode()),
            rate=0.5,
            faults=RARE_TIMEOUTS,
            max_range=8,
            log_limit=80,
            shuffle=True,
            delay=1.0,
        )
    )
    engine = mirror(db_url)
    # Both pipelines, each on both nodes and both databases: the worker process on anvil with
    # PostgreSQL and on the devnet with SQLite, the thread on the other two.
    parallel = (world.backend == "anvil") == db_url.startswith("postgresql")
    rpc = fast_rpc(proxy.url, timeout=0.7, retries=25)
    report = sync(engine, rpc, world.ledger.deployment, SyncOptions(parallel=parallel))
    seq, _head = world.ledger.ledger_head()
    assert seq >= 350 and report.seq == seq and report.events == seq
    raw = SQLModel.metadata.tables["raw_events"]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(raw)).scalar_one() == seq
        assert conn.execute(select(func.count(func.distinct(raw.c.seq)))).scalar_one() == seq
    assert verify(engine, fast_rpc(rpc_url(world)), world.ledger.deployment) == []
    injected = proxy.stats.injected
    print(f"{proxy.stats.requests} requests, injected {dict(injected)}")
    assert sum(injected[f] for f in FAULTS) >= 20, injected
    assert injected["range_too_large"] and injected["too_many_results"], injected
    assert len([f for f in FAULTS if injected[f]]) >= 6, injected


def test_following_the_head_through_a_faulty_provider_misses_nothing(
    proxy: RpcProxy, world: World, db_url: str
) -> None:
    """`--follow` mode (polling: the proxy speaks no WebSocket) while blocks keep coming."""
    engine = mirror(db_url)
    target = world.ledger.ledger_head()[0] + 200
    proxy.set_plan(FaultPlan(seed=SEED, rate=0.5, faults=RARE_TIMEOUTS, shuffle=True, delay=1.0))
    errors: list[BaseException] = []

    def reached() -> bool:
        with engine.connect() as conn:
            seq = conn.execute(select(SQLModel.metadata.tables["indexer_state"].c.seq)).scalar()
        return bool(errors) or (seq or 0) >= target

    def follow() -> None:
        options = SyncOptions(follow=True, poll_interval=0.05, stop=reached)
        try:
            sync(
                engine,
                fast_rpc(proxy.url, timeout=0.7, retries=25),
                world.ledger.deployment,
                options,
            )
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    runner = threading.Thread(target=follow)
    runner.start()
    for _ in range(10):
        gift_batches(world, 20, per_tx=20)
        time.sleep(0.1)  # let the follower catch up now and then
    runner.join(timeout=120)
    assert not runner.is_alive() and errors == []
    assert verify(engine, fast_rpc(rpc_url(world)), world.ledger.deployment) == []
    assert sum(proxy.stats.injected[f] for f in FAULTS) >= 5, proxy.stats.injected


def test_worker_process_keeps_the_callers_retry_policy(
    proxy: RpcProxy, world: World, db_url: str
) -> None:
    """12 failed log queries in a row: more than the default 8 retries, fewer than the 15 set."""
    gift_batches(world, 50)
    proxy.set_plan(FaultPlan(rate=1.0, faults=("http_503",), budget=12, only_methods=LOGS))
    engine = mirror(db_url)
    rpc = fast_rpc(proxy.url, retries=15)
    report = sync(engine, rpc, world.ledger.deployment, SyncOptions(parallel=True))
    assert proxy.stats.injected["http_503"] == 12
    assert report.seq == world.ledger.ledger_head()[0]


def test_sync_through_a_node_behind_the_head_misses_nothing(
    proxy: RpcProxy, world: World, db_url: str
) -> None:
    gift_batches(world, 100, per_tx=50)
    plan = FaultPlan(rate=1.0, faults=(STALE_LOGS,), budget=1, only_methods=LOGS)
    proxy.set_plan(plan)
    engine = mirror(db_url)
    report = sync(engine, fast_rpc(proxy.url), world.ledger.deployment)
    assert proxy.stats.injected[STALE_LOGS] == 1
    assert report.seq == world.ledger.ledger_head()[0]
