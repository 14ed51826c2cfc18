"""Catch up with the chain (and optionally follow it): fetch, verify, apply, commit, repeat."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, insert
from sqlmodel import SQLModel

from ledger.chain.deployment import Deployment
from ledger.chain.rpc import Rpc
from ledger.errors import AidLedgerConfigError
from ledger.indexer import journal_values
from ledger.indexer.apply import Applied, CheckpointMovedError, apply_batch, read_state
from ledger.indexer.fetch import ReorgDuringFetchError, _header
from ledger.indexer.handlers import ZERO_ID
from ledger.indexer.heads import HeadWaiter
from ledger.indexer.lock import writer_lock
from ledger.indexer.pipeline import Plan, in_process, threaded
from ledger.indexer.reorg import find_ancestor, rollback

T = SQLModel.metadata.tables
# Blocks in the first eth_getLogs of a run: small, so that the writer has its first batch soon
# and works while the fetcher grows its ranges (100 cost a 4% slower catch-up of 100,000 events).
FIRST_SPAN = 20


@dataclass
class SyncOptions:
    """How to follow the chain."""

    confirmations: int = 0
    finality: int = 64
    follow: bool = False
    poll_interval: float = 1.0
    until_block: int | None = None
    stop: Callable[[], bool] = lambda: False
    max_span: int = 200_000  # most blocks per eth_getLogs (tests cap it to get many batches)
    parallel: bool | None = None  # prepare batches in a worker process; None: when far behind
    parallel_from_blocks: int = 500


@dataclass
class SyncReport:
    """What a run did."""

    events: int = 0
    batches: int = 0
    reorgs: int = 0
    last_block: int = 0
    seq: int = 0
    seconds: float = 0.0
    follow_mode: str = ""
    progress: list[Applied] = field(default_factory=list, repr=False)


def ensure_state(engine: Engine, rpc: Rpc, deployment: Deployment) -> None:
    """Create the checkpoint at the block before the deployment, or check it matches."""
    chain_id = int(rpc.call("eth_chainId", []), 16)
    if chain_id != deployment.chain_id:
        raise AidLedgerConfigError(
            f"the node is chain {chain_id} but the deployment file is for chain "
            f"{deployment.chain_id}"
        )
    with engine.begin() as conn:
        state = read_state(conn)
        if state is not None:
            if state["registry_address"] != deployment.registry:
                raise AidLedgerConfigError(
                    f"this database mirrors registry {state['registry_address']}, not "
                    f"{deployment.registry}; use a fresh database for a new deployment"
                )
            return
        start = deployment.deployment_block - 1
        header = _header(rpc.call("eth_getBlockByNumber", [hex(start), False]), start)
        conn.execute(
            insert(T["blocks"]).values(
                number=start,
                hash=header.hash,
                parent_hash=header.parent_hash,
                timestamp=header.timestamp,
                seq=0,
                head=ZERO_ID,
            )
        )
        conn.execute(
            insert(T["indexer_state"]).values(
                id=1,
                chain_id=chain_id,
                registry_address=deployment.registry,
                fund_address=deployment.fund_ledger,
                supply_address=deployment.supply_ledger,
                deployment_block=deployment.deployment_block,
                last_block=start,
                last_block_hash=header.hash,
                seq=0,
                head=ZERO_ID,
                unjournaled_through=start,
            )
        )


def _handle_reorg(engine: Engine, rpc: Rpc, report: SyncReport) -> None:
    with engine.begin() as conn:
        ancestor = find_ancestor(conn, rpc)
        rollback(conn, ancestor)
    report.reorgs += 1


def _plan(
    state: dict[str, Any], rpc: Rpc, deployment: Deployment, target: int, options: SyncOptions
) -> Plan:
    return Plan(
        rpc_url=rpc.url,
        addresses=[deployment.registry, deployment.fund_ledger, deployment.supply_ledger],
        first=int(state["last_block"]) + 1,
        limit=target,
        chain_id=deployment.chain_id,
        seq=int(state["seq"]),
        head=bytes.fromhex(state["head"][2:]),
        parent_hash=str(state["last_block_hash"]),
        initial_span=min(FIRST_SPAN, options.max_span),
        max_span=options.max_span,
        rpc_timeout=rpc.timeout,
        rpc_retries=rpc.retries,
        rpc_backoff=rpc.backoff,
        rpc_max_backoff=rpc.max_backoff,
    )


def _catch_up(
    engine: Engine,
    rpc: Rpc,
    plan: Plan,
    finality_from: int,
    options: SyncOptions,
    report: SyncReport,
    on_batch: Callable[[Applied, int], None] | None,
) -> None:
    """Apply batches up to `plan.limit`; a reorg rolls back and returns to the caller's loop."""
    parallel = options.parallel
    if parallel is None:
        parallel = plan.limit - plan.first >= options.parallel_from_blocks
    # closing(): the fetcher (thread or worker process) stops as soon as the loop ends, by
    # Ctrl-C included; a batch being applied then rolls back, so the mirror stays at a checkpoint.
    batches = in_process(plan) if parallel else threaded(plan, rpc)
    try:
        with closing(batches):
            for batch in batches:
                with engine.begin() as conn:
                    applied = apply_batch(conn, batch, finality_from)
                report.events += applied.events
                report.batches += 1
                if on_batch:
                    on_batch(applied, plan.limit)
                if options.stop():
                    return
    except (CheckpointMovedError, ReorgDuringFetchError):
        _handle_reorg(engine, rpc, report)


def sync(
    engine: Engine,
    rpc: Rpc,
    deployment: Deployment,
    options: SyncOptions | None = None,
    on_batch: Callable[[Applied, int], None] | None = None,
) -> SyncReport:
    """Index from the checkpoint to the head (minus confirmations); with `follow`, keep going."""
    options = options or SyncOptions()
    report = SyncReport()
    started = time.monotonic()
    with writer_lock(engine), ExitStack() as stack:
        ensure_state(engine, rpc, deployment)
        with engine.begin() as conn:  # events indexed before migration 0005 get their columns
            journal_values.backfill(conn)
        waiter: HeadWaiter | None = None
        while not options.stop():
            head = int(rpc.call("eth_blockNumber", []), 16)
            target = head - options.confirmations
            if options.until_block is not None:
                target = min(target, options.until_block)
            with engine.connect() as conn:
                state = read_state(conn)
            assert state is not None
            if int(state["last_block"]) < target:
                plan = _plan(state, rpc, deployment, target, options)
                finality_from = head - options.finality + 1
                _catch_up(engine, rpc, plan, finality_from, options, report, on_batch)
            elif not _checkpoint_canonical(engine, rpc):
                _handle_reorg(engine, rpc, report)
            elif not options.follow:
                break
            else:
                if waiter is None:
                    waiter = stack.enter_context(HeadWaiter(rpc, options.poll_interval))
                    report.follow_mode = waiter.mode
                waiter.wait()
        with engine.connect() as conn:
            state = read_state(conn)
    assert state is not None
    report.last_block, report.seq = int(state["last_block"]), int(state["seq"])
    report.seconds = time.monotonic() - started
    return report


def _checkpoint_canonical(engine: Engine, rpc: Rpc) -> bool:
    with engine.connect() as conn:
        state = read_state(conn)
    assert state is not None
    block = rpc.call("eth_getBlockByNumber", [hex(state["last_block"]), False])
    return block is not None and block["hash"] == state["last_block_hash"]
