"""Bad input gets the right JSON-RPC error and the node keeps serving."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from tests.devnet.nodes import (
    DEV_KEY,
    NodeProcess,
    counter_artifact,
    post,
    rpc,
    running,
    signed_transfer,
    start_devnet,
)

SECOND_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


@pytest.fixture
def node(devnet_node: NodeProcess) -> Iterator[NodeProcess]:
    yield devnet_node
    assert "result" in rpc(devnet_node.url, "eth_blockNumber"), "node stopped serving"


def _error(answer: Any) -> dict[str, Any]:
    assert "error" in answer, answer
    error: dict[str, Any] = answer["error"]
    return error


def test_malformed_json_is_parse_error(node: NodeProcess) -> None:
    status, answer = post(node.url, b'{"jsonrpc": "2.0", "method": ')
    assert status == 200
    assert _error(answer)["code"] == -32700


@pytest.mark.parametrize(
    "request_body",
    [[], 5, {"jsonrpc": "1.0", "id": 1, "method": "eth_chainId"}, {"jsonrpc": "2.0", "id": 1}],
)
def test_invalid_request_objects_are_32600(node: NodeProcess, request_body: Any) -> None:
    _, answer = post(node.url, json.dumps(request_body).encode())
    assert _error(answer)["code"] == -32600


def test_unknown_method_is_32601(node: NodeProcess) -> None:
    assert _error(rpc(node.url, "eth_doesNotExist"))["code"] == -32601


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("eth_getBalance", ["0x1234"]),
        ("eth_getBalance", ["0x" + "zz" * 20, "latest"]),
        ("eth_getBlockByNumber", ["0x1", "yes"]),
        ("eth_getBlockByNumber", []),
        ("eth_call", ["not an object"]),
        ("eth_getLogs", [{"topics": ["0x1234"]}]),
        ("eth_sendRawTransaction", ["0xdeadbeef"]),
        ("eth_chainId", {"named": "params"}),
    ],
)
def test_wrong_params_are_32602(node: NodeProcess, method: str, params: Any) -> None:
    assert _error(rpc(node.url, method, params))["code"] == -32602


def test_oversized_body_is_refused_with_413(node: NodeProcess) -> None:
    body = b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":["' + b"a" * (17 << 20)
    status, answer = post(node.url, body + b'"]}')
    assert status == 413
    assert "limit" in _error(answer)["message"]


def test_invalid_signature_is_rejected(node: NodeProcess) -> None:
    raw = bytearray(bytes.fromhex(signed_transfer(DEV_KEY, 0)[2:]))
    raw[-40] ^= 0xFF  # corrupt s
    error = _error(rpc(node.url, "eth_sendRawTransaction", ["0x" + raw.hex()]))
    assert error["code"] in (-32000, -32602)


def test_nonce_gap_and_replay_are_rejected(node: NodeProcess) -> None:
    sender = Account.from_key(SECOND_KEY).address
    nonce = int(rpc(node.url, "eth_getTransactionCount", [sender, "pending"])["result"], 16)
    gap = _error(rpc(node.url, "eth_sendRawTransaction", [signed_transfer(SECOND_KEY, nonce + 5)]))
    assert gap["code"] == -32000 and "nonce too high" in gap["message"]
    first = signed_transfer(SECOND_KEY, nonce)
    assert "result" in rpc(node.url, "eth_sendRawTransaction", [first])
    replay = _error(rpc(node.url, "eth_sendRawTransaction", [first]))
    assert replay["code"] == -32000 and "already known" in replay["message"]
    stale = _error(
        rpc(node.url, "eth_sendRawTransaction", [signed_transfer(SECOND_KEY, nonce, value=2)])
    )
    assert "nonce too low" in stale["message"]


def test_wrong_chain_id_and_missing_funds_are_rejected(node: NodeProcess) -> None:
    poor = Account.create()
    error = _error(rpc(node.url, "eth_sendRawTransaction", [signed_transfer(poor.key.hex(), 0)]))
    assert "insufficient funds" in error["message"]
    error = _error(
        rpc(node.url, "eth_sendRawTransaction", [signed_transfer(DEV_KEY, 0, chainId=5)])
    )
    assert error["code"] == -32000


def test_batch_mixes_results_and_errors_in_order(node: NodeProcess) -> None:
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"},
        {"jsonrpc": "2.0", "id": 2, "method": "nope"},
        {"jsonrpc": "2.0", "method": "eth_chainId"},  # notification: no answer
        {"jsonrpc": "2.0", "id": 3, "method": "eth_blockNumber"},
    ]
    _, answer = post(node.url, json.dumps(batch).encode())
    assert [a["id"] for a in answer] == [1, 2, 3]
    assert answer[0]["result"] == "0x539"
    assert answer[1]["error"]["code"] == -32601


def test_log_query_over_the_limit_names_the_limit(tmp_path: Path) -> None:
    with running(start_devnet(tmp_path / "chain", "--max-logs", "5")) as small:
        bytecode = counter_artifact()["bytecode"]
        sender = Account.from_key(DEV_KEY).address
        deploy = {"from": sender, "data": bytecode}
        tx = rpc(small.url, "eth_sendTransaction", [deploy])["result"]
        address = rpc(small.url, "eth_getTransactionReceipt", [tx])["result"]["contractAddress"]
        data = "0x657eb4ca" + (6).to_bytes(32, "big").hex()  # burst(6)
        rpc(small.url, "eth_sendTransaction", [{"from": sender, "to": address, "data": data}])
        error = _error(rpc(small.url, "eth_getLogs", [{"fromBlock": "0x0"}]))
        assert error["code"] == -32005
        assert "more than 5 results" in error["message"]
