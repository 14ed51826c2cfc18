"""The indexer's JSON-RPC client against a real node behind the fault-injecting proxy."""

from __future__ import annotations

from functools import partial

import pytest

from ledger.chain.rpc import (
    RangeRefusedError,
    RpcError,
    RpcTimeoutError,
    _TransientError,
    classify,
)
from ledger.errors import AidLedgerConnectionError
from tests.contracts.world import World
from tests.ledger.indexer.conftest import fast_rpc as _fast_rpc
from tests.ledger.indexer.conftest import rpc_url
from tests.ledger.indexer.rpc_proxy import NOT_JSONRPC, RATE_LIMITS, FaultPlan, RpcProxy

# Faults a client must ride out by asking again; "timeout" is covered separately (it is slow).
TRANSIENT = (
    "rpc_rate_limit",
    "rpc_node_timeout",
    "http_429",
    "http_500",
    "http_503",
    "drop",
    "cut",
    "gateway_page",
    "not_jsonrpc",
    "missing_answer",
)


fast_rpc = partial(_fast_rpc, timeout=2.0)  # these tests time out sooner


def blocks(count: int) -> list[tuple[str, list[object]]]:
    return [("eth_getBlockByNumber", [hex(n), False]) for n in range(count)]


@pytest.mark.parametrize("fault", TRANSIENT)
def test_transient_fault_is_retried_until_the_answer_comes(
    proxy: RpcProxy, world: World, fault: str
) -> None:
    direct = fast_rpc(rpc_url(world)).batch(blocks(3))
    proxy.set_plan(FaultPlan(rate=1.0, faults=(fault,), budget=3))
    assert fast_rpc(proxy.url).batch(blocks(3)) == direct
    assert proxy.stats.injected[fault] == 3
    assert proxy.stats.requests == 4


@pytest.mark.parametrize("fault", TRANSIENT)
def test_persistent_fault_gives_up_after_the_retries_with_a_clear_error(
    proxy: RpcProxy, fault: str
) -> None:
    proxy.set_plan(FaultPlan(rate=1.0, faults=(fault,)))
    with pytest.raises(AidLedgerConnectionError, match=r"kept failing after 3 retries|timeout"):
        fast_rpc(proxy.url, retries=3).batch(blocks(2))
    assert proxy.stats.requests == 4


def test_slow_answer_is_retried_for_ordinary_calls(proxy: RpcProxy, world: World) -> None:
    proxy.set_plan(FaultPlan(rate=1.0, faults=("timeout",), delay=0.6, budget=2))
    head = fast_rpc(proxy.url, timeout=0.3).call("eth_blockNumber", [])
    assert head == fast_rpc(rpc_url(world)).call("eth_blockNumber", [])
    assert proxy.stats.requests == 3


def test_slow_answers_give_up_with_a_timeout_error_after_the_retries(proxy: RpcProxy) -> None:
    proxy.set_plan(FaultPlan(rate=1.0, faults=("timeout",), delay=0.5))
    with pytest.raises(RpcTimeoutError, match=r"did not answer within 0\.2 s, 2 retries"):
        fast_rpc(proxy.url, retries=2, timeout=0.2).call("eth_blockNumber", [])
    assert proxy.stats.requests == 3


def test_slow_log_query_is_left_to_the_caller_without_retry(proxy: RpcProxy) -> None:
    proxy.set_plan(FaultPlan(rate=1.0, faults=("timeout",), delay=0.5))
    with pytest.raises(RpcTimeoutError):
        fast_rpc(proxy.url, timeout=0.2).call(
            "eth_getLogs", [{"fromBlock": "0x0", "toBlock": "0x1"}], retry_timeouts=False
        )
    assert proxy.stats.requests == 1


def test_batch_answers_in_shuffled_order_are_matched_by_id(proxy: RpcProxy, world: World) -> None:
    direct = fast_rpc(rpc_url(world)).batch(blocks(12))
    proxy.set_plan(FaultPlan(seed=5, shuffle=True))
    for _ in range(5):
        answers = fast_rpc(proxy.url).batch(blocks(12))
        assert [int(a["number"], 16) for a in answers] == list(range(12))
        assert answers == direct


@pytest.mark.parametrize("body", NOT_JSONRPC)
def test_json_that_is_not_a_jsonrpc_answer_is_retried(
    proxy: RpcProxy, world: World, body: bytes
) -> None:
    proxy.set_plan(FaultPlan(rate=1.0, faults=("not_jsonrpc",), budget=1, bodies=(body,)))
    assert fast_rpc(proxy.url).batch(blocks(2)) == fast_rpc(rpc_url(world)).batch(blocks(2))
    assert proxy.stats.injected["not_jsonrpc"] == 1 and proxy.stats.requests == 2


def test_node_error_that_retrying_cannot_fix_raises_at_once(proxy: RpcProxy) -> None:
    with pytest.raises(RpcError, match="node error -32601") as info:
        fast_rpc(proxy.url).call("eth_noSuchMethod", [])
    assert not isinstance(info.value, RangeRefusedError)
    assert proxy.stats.requests == 1


@pytest.mark.parametrize(
    ("plan", "words"),
    [
        (FaultPlan(max_range=4), "block range too large"),
        (FaultPlan(log_limit=0), "query returned more than 0 results"),
    ],
)
def test_refused_log_range_raises_for_the_caller_to_split(
    proxy: RpcProxy, world: World, plan: FaultPlan, words: str
) -> None:
    proxy.set_plan(plan)
    head = int(fast_rpc(proxy.url).call("eth_blockNumber", []), 16)
    query = {"fromBlock": "0x0", "toBlock": hex(head), "address": world.ledger.deployment.registry}
    with pytest.raises(RangeRefusedError, match=words):
        fast_rpc(proxy.url).call("eth_getLogs", [query], retry_timeouts=False)
    assert proxy.stats.calls["eth_getLogs"] == 1, "a refusal is not retried as is"


@pytest.mark.parametrize("error", RATE_LIMITS, ids=lambda e: f"{e['code']}")
def test_rate_limit_error_is_retried_and_not_mistaken_for_a_refused_range(
    proxy: RpcProxy, error: dict[str, object]
) -> None:
    proxy.set_plan(FaultPlan(rate=1.0, faults=("rpc_rate_limit",), budget=2, rate_limits=(error,)))
    fast_rpc(proxy.url).call(
        "eth_getLogs", [{"fromBlock": "0x0", "toBlock": "0x0"}], retry_timeouts=False
    )
    fast_rpc(proxy.url).batch(blocks(2))
    assert proxy.stats.injected["rpc_rate_limit"] == 2 and proxy.stats.requests == 4


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ({"code": -32005, "message": "query returned more than 10000 results"}, RangeRefusedError),
        ({"code": -32602, "message": "Log response size exceeded."}, RangeRefusedError),
        ({"code": -32000, "message": "block range is too wide"}, RangeRefusedError),
        ({"code": -32000, "message": "would generate more than 5000 logs"}, RangeRefusedError),
        *((e, _TransientError) for e in RATE_LIMITS),
        ({"code": -32603, "message": "request timeout"}, RpcTimeoutError),
        ({"code": -32000, "message": "header not found"}, RpcError),
    ],
)
def test_classify_tells_refusals_rate_limits_and_timeouts_apart(
    error: dict[str, object], kind: type[RpcError]
) -> None:
    assert type(classify(error)) is kind
