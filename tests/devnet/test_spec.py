"""Every result the devnet serves matches the ethereum/execution-apis schema of its method.

The spec is vendored in tests/devnet/spec/execution-apis (see the README there). Each method
file lists methods whose `result.schema` refers to the shared types as
`#/components/schemas/<Name>`; :func:`result_validator` puts all types under
`components.schemas` of one root document, so those references resolve as written.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]
from eth_account import Account
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from devnet.rpc.dispatch import METHODS
from tests.devnet.nodes import DEV_KEY, NodeProcess, counter_artifact, rpc

SPEC = Path(__file__).resolve().parent / "spec" / "execution-apis" / "src"
SENDER = Account.from_key(DEV_KEY).address
NOT_IN_SPEC = {  # served, but not part of execution-apis (web3/net extras, test methods)
    "web3_clientVersion",
    "net_listening",
    "evm_snapshot",
    "evm_revert",
    "evm_mine",
    "evm_increaseTime",
    "evm_setNextBlockTimestamp",
    "anvil_reorg",
}
INCREMENT = "0x7cf5dab0" + (1).to_bytes(32, "big").hex()  # increment(1)
COUNT = "0x06661abd"  # count()
MISSING = "0x" + "ee" * 32


# ------------------------------------------------------------------ spec loader


@functools.cache
def _schemas() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted((SPEC / "schemas").glob("*.yaml")):
        merged.update(yaml.safe_load(path.read_text()))
    return merged


@functools.cache
def _methods() -> dict[str, dict[str, Any]]:
    methods: dict[str, dict[str, Any]] = {}
    for path in sorted((SPEC / "eth").glob("*.yaml")):
        for method in yaml.safe_load(path.read_text()):
            methods[method["name"]] = method
    return methods


def result_validator(method: str) -> Draft202012Validator:
    """A validator of `method`'s result, with the spec's references resolvable."""
    schema = {**_methods()[method]["result"]["schema"], "components": {"schemas": _schemas()}}
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def spec_errors(method: str, result: Any) -> list[str]:
    """Every way `result` breaks the spec, as readable lines (empty: conforms).

    An empty array is valid under both branches of `FilterResults` (logs or hashes), which
    JSON Schema's `oneOf` then refuses; every client answers `[]` there, so it conforms.
    """
    lines = []
    for error in result_validator(method).iter_errors(result):
        if error.validator == "oneOf" and result == [] and "valid under each" in error.message:
            continue
        for leaf in _leaves(error):
            lines.append(f"{method} at {list(leaf.absolute_path)}: {leaf.message[:200]}")
    return lines


def _leaves(error: Any) -> list[Any]:
    """The innermost errors (a oneOf/allOf failure holds the real reasons in `context`)."""
    if not error.context:
        return [error]
    return [leaf for inner in error.context for leaf in _leaves(inner)]


# ------------------------------------------------------------------ the served chain


@dataclass
class Chain:
    """A devnet with one transaction of each kind and a contract that logs."""

    url: str
    contract: str
    txs: dict[str, str]  # kind -> hash
    block_filter: str
    log_filter: str

    def call(self, method: str, params: list[Any]) -> Any:
        response = rpc(self.url, method, params)
        assert "error" not in response, (method, params, response)
        return response["result"]

    def receipt(self, kind: str) -> dict[str, Any]:
        found: dict[str, Any] = self.call("eth_getTransactionReceipt", [self.txs[kind]])
        return found


def _raw(nonce: int, **fields: Any) -> str:
    tx = {"to": "0x" + "22" * 20, "value": 5, "gas": 30_000, "nonce": nonce, "chainId": 1337}
    return "0x" + bytes(Account.sign_transaction({**tx, **fields}, DEV_KEY).raw_transaction).hex()


def _build(url: str) -> Chain:
    def call(method: str, *params: Any) -> Any:
        response = rpc(url, method, list(params))
        assert "error" not in response, (method, response)
        return response["result"]

    block_filter = call("eth_newBlockFilter")
    log_filter = call("eth_newFilter", {"fromBlock": "0x0"})
    code = counter_artifact()["bytecode"]
    txs = {"create": call("eth_sendTransaction", {"from": SENDER, "data": code})}
    contract = call("eth_getTransactionReceipt", txs["create"])["contractAddress"]
    txs["call"] = call("eth_sendTransaction", {"from": SENDER, "to": contract, "data": INCREMENT})
    nonce = int(call("eth_getTransactionCount", SENDER, "pending"), 16)
    txs["legacy"] = call("eth_sendRawTransaction", _raw(nonce, gasPrice=10**10))
    access = [{"address": contract, "storageKeys": ["0x" + "00" * 32]}]
    txs["2930"] = call(
        "eth_sendRawTransaction", _raw(nonce + 1, gasPrice=10**10, accessList=access)
    )
    txs["1559"] = call(
        "eth_sendRawTransaction",
        _raw(nonce + 2, maxFeePerGas=10**10, maxPriorityFeePerGas=10**9),
    )
    call("evm_mine")
    return Chain(url, contract, txs, block_filter, log_filter)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.devnet.nodes import start_devnet  # noqa: PLC0415

    node: NodeProcess = start_devnet(tmp_path_factory.mktemp("spec") / "chain")
    try:
        yield _build(node.url)
    finally:
        node.stop()


def _calls(c: Chain) -> dict[str, list[list[Any]]]:
    """Parameters for each method, covering every result shape it can have."""
    hashes = list(c.txs.values())
    head = c.receipt("1559")
    blocks = sorted({c.receipt(k)["blockHash"] for k in c.txs})
    numbers = [*sorted({c.receipt(k)["blockNumber"] for k in c.txs}), "0x0", "latest"]
    positions = [(c.receipt(k)["blockHash"], c.receipt(k)["transactionIndex"]) for k in c.txs]
    return {
        "eth_chainId": [[]],
        "net_version": [[]],
        "eth_syncing": [[]],
        "eth_accounts": [[]],
        "eth_blockNumber": [[]],
        "eth_getBalance": [[SENDER, "latest"], [c.contract, "0x0"]],
        "eth_getTransactionCount": [[SENDER, "latest"], [SENDER, "pending"]],
        "eth_getCode": [[c.contract, "latest"], [SENDER, "latest"]],
        "eth_getStorageAt": [[c.contract, "0x0", "latest"]],
        "eth_call": [[{"to": c.contract, "data": COUNT}, "latest"]],
        "eth_estimateGas": [[{"from": SENDER, "to": c.contract, "data": INCREMENT}]],
        "eth_gasPrice": [[]],
        "eth_maxPriorityFeePerGas": [[]],
        "eth_feeHistory": [["0x4", "latest", [25, 75]], ["0x2", "latest", []]],
        "eth_getTransactionByHash": [[h] for h in hashes] + [[MISSING]],
        "eth_getTransactionByBlockHashAndIndex": [[b, i] for b, i in positions]
        + [[head["blockHash"], "0x7f"], [MISSING, "0x0"]],
        "eth_getTransactionByBlockNumberAndIndex": [
            [c.receipt(k)["blockNumber"], c.receipt(k)["transactionIndex"]] for k in c.txs
        ]
        + [["0xffffff", "0x0"]],
        "eth_getTransactionReceipt": [[h] for h in hashes] + [[MISSING]],
        "eth_getBlockByNumber": [[n, f] for n in numbers for f in (True, False)]
        + [["0xffffff", False]],
        "eth_getBlockByHash": [[b, f] for b in blocks for f in (True, False)] + [[MISSING, True]],
        "eth_getBlockReceipts": [[b] for b in blocks] + [["latest"], ["0xffffff"]],
        "eth_getBlockTransactionCountByHash": [[b] for b in blocks] + [[MISSING]],
        "eth_getBlockTransactionCountByNumber": [[n] for n in numbers] + [["0xffffff"]],
        "eth_getLogs": [[{"fromBlock": "0x0"}], [{"blockHash": head["blockHash"]}]],
        "eth_newFilter": [[{"address": c.contract}]],
        "eth_newBlockFilter": [[]],
        "eth_getFilterChanges": [[c.block_filter], [c.log_filter], [c.log_filter]],
        "eth_getFilterLogs": [[c.log_filter]],
        "eth_uninstallFilter": [[c.block_filter], [c.block_filter]],
    }


SENT = {"eth_sendTransaction": ("create", "call"), "eth_sendRawTransaction": ("legacy", "1559")}


@pytest.mark.parametrize("method", sorted(METHODS))
def test_result_matches_the_spec(method: str, chain: Chain) -> None:
    if method in NOT_IN_SPEC:
        assert method not in _methods(), f"{method} is in the spec now: give it calls"
        return
    assert method in _methods(), f"{method} is served but not in the vendored spec"
    if method in SENT:
        results = [chain.txs[kind] for kind in SENT[method]]
    else:
        calls = _calls(chain)
        assert method in calls, f"no calls for {method}: add them to _calls"
        results = [chain.call(method, params) for params in calls[method]]
    assert [e for r in results for e in spec_errors(method, r)] == []


def test_every_transaction_object_carries_its_block_timestamp(chain: Chain) -> None:
    for kind, tx_hash in chain.txs.items():
        tx = chain.call("eth_getTransactionByHash", [tx_hash])
        block = chain.call("eth_getBlockByHash", [tx["blockHash"], True])
        assert tx["blockTimestamp"] == block["timestamp"], kind
        assert tx in block["transactions"]
        by_index = chain.call(
            "eth_getTransactionByBlockNumberAndIndex", [tx["blockNumber"], tx["transactionIndex"]]
        )
        assert by_index == tx
        for log in chain.receipt(kind)["logs"]:
            assert log["blockTimestamp"] == block["timestamp"]


def test_the_validator_rejects_what_the_spec_forbids(chain: Chain) -> None:
    tx = chain.call("eth_getTransactionByHash", [chain.txs["1559"]])
    assert spec_errors("eth_getTransactionByHash", tx) == []
    without = {k: v for k, v in tx.items() if k != "blockTimestamp"}
    assert any("blockTimestamp" in e for e in spec_errors("eth_getTransactionByHash", without))
    receipt = {**chain.receipt("call"), "extra": "0x1"}
    assert spec_errors("eth_getTransactionReceipt", receipt) != []
    assert spec_errors("eth_blockNumber", "0x01") != []  # leading zero: not a uint
