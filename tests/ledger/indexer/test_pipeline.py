"""The worker process hands its errors to the indexer as they were raised: same type, with the
worker's traceback attached as the cause (before, anything unlisted became a connection error)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ledger.chain.rpc import Rpc
from ledger.errors import AidLedgerConfigError
from ledger.indexer.pipeline import Plan, WorkerTracebackError, in_process
from tests.contracts.helpers import give
from tests.contracts.world import World
from tests.ledger.indexer.conftest import rpc_url


def plan(world: World, rpc: Rpc) -> Plan:
    """From the deployment to the head, as a fresh mirror would fetch it."""
    deployment = world.ledger.deployment
    start = deployment.deployment_block
    parent = rpc.call("eth_getBlockByNumber", [hex(start - 1), False])["hash"]
    return Plan(
        rpc_url=rpc_url(world),
        addresses=[deployment.registry, deployment.fund_ledger, deployment.supply_ledger],
        first=start,
        limit=world.ledger.client.w3.eth.block_number,
        chain_id=deployment.chain_id,
        seq=0,
        head=b"\x00" * 32,
        parent_hash=parent,
        initial_span=5,
        max_span=5,
    )


def test_worker_streams_every_batch_up_to_the_limit(world: World, rpc: Rpc) -> None:
    give(world, 10)
    p = plan(world, rpc)
    batches = list(in_process(p))
    assert batches[-1].last == p.limit
    assert batches[-1].seq == world.ledger.ledger_head()[0]


def test_an_error_of_ours_keeps_its_type_and_the_worker_traceback(world: World, rpc: Rpc) -> None:
    """An unusable RPC URL fails in the worker as AidLedgerConfigError, not a connection error."""
    bad = replace(plan(world, rpc), rpc_url="ws://127.0.0.1:1")
    with pytest.raises(AidLedgerConfigError, match="WebSocket") as info:
        list(in_process(bad))
    cause = info.value.__cause__
    assert isinstance(cause, WorkerTracebackError)
    assert "in check_rpc_url" in cause.text
    assert "AidLedgerConfigError" in cause.text


def test_a_plain_bug_in_the_worker_keeps_its_type_and_traceback(world: World, rpc: Rpc) -> None:
    """A plan without addresses: the completeness check indexes the registry's, an IndexError."""
    give(world, 10)
    bug = replace(plan(world, rpc), addresses=[])
    with pytest.raises(IndexError) as info:
        list(in_process(bug))
    cause = info.value.__cause__
    assert isinstance(cause, WorkerTracebackError)
    assert "in _batches" in cause.text
    assert "IndexError" in cause.text
