"""One chain suite, run against the devnet and against anvil through web3.py.

Each backend subclass supplies `node`; every test deploys what it needs, so tests do not
depend on each other or on order.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
import websockets
from eth_account import Account
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError

from tests.devnet.nodes import DEV_KEY, NodeProcess, counter_artifact, rpc

TOO_LARGE = Web3.keccak(text="CounterTooLarge(uint256,uint256)")[:4]


def _poll(flt: Any, timeout: float = 5.0) -> list[Any]:
    """A filter's new entries, waiting until there are some (or the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        entries: list[Any] = flt.get_new_entries()
        if entries or time.monotonic() > deadline:
            return entries
        time.sleep(0.05)


# web3.py's stubs type accounts as an empty tuple and receipts as TypedDicts; the suite
# talks to it dynamically, so Web3 and contracts are Any here.
W3 = Any
Counter = Any


class ChainSuite:
    """The shared tests; subclasses provide the `node` fixture."""

    @pytest.fixture
    def w3(self, node: NodeProcess) -> W3:
        return Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 30}))

    @pytest.fixture
    def counter(self, w3: W3) -> Counter:
        artifact = counter_artifact()
        factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        tx = factory.constructor().transact({"from": w3.eth.accounts[0]})
        receipt = w3.eth.wait_for_transaction_receipt(tx)
        assert receipt["status"] == 1
        return w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])

    def test_identity_and_dev_accounts(self, w3: W3) -> None:
        assert w3.eth.chain_id == 1337
        assert w3.eth.accounts[0] == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
        assert w3.eth.get_balance(w3.eth.accounts[9]) > 0
        assert w3.eth.syncing is False
        assert w3.net.version == "1337"

    def test_transact_emits_event_and_changes_state(self, w3: W3, counter: Counter) -> None:
        before = w3.eth.block_number
        tx = counter.functions.increment(5).transact({"from": w3.eth.accounts[1]})
        receipt = w3.eth.wait_for_transaction_receipt(tx)
        assert receipt["blockNumber"] == before + 1
        assert counter.functions.count().call() == 5
        (event,) = counter.events.CounterIncremented().process_receipt(receipt)
        assert event["args"]["by"] == w3.eth.accounts[1]
        assert event["args"]["count"] == 5

    def test_custom_error_is_decodable_from_call_and_estimate(
        self, w3: W3, counter: Counter
    ) -> None:
        with pytest.raises(ContractCustomError) as raised:
            counter.functions.increment(2_000_000).call()
        assert raised.value.data is not None
        data = bytes.fromhex(str(raised.value.data)[2:])
        assert data[:4] == TOO_LARGE
        assert int.from_bytes(data[4:36], "big") == 2_000_000
        with pytest.raises(ContractCustomError):
            counter.functions.increment(2_000_000).transact({"from": w3.eth.accounts[0]})

    def test_estimate_of_a_plain_transfer_is_the_intrinsic_gas(self, w3: W3) -> None:
        request = {"from": w3.eth.accounts[0], "to": "0x" + "11" * 20, "value": 1}
        assert w3.eth.estimate_gas(request) == 21_000

    def test_estimate_is_enough_for_code_that_branches_on_gasleft(self, w3: W3) -> None:
        # runtime: if gasleft() < 100000 revert; the gas used at the cap is far below that
        runtime = "5a620186a011600a57005b600080fd"
        init = "600f80600b6000396000f3" + runtime
        sender = w3.eth.accounts[0]
        created = w3.eth.wait_for_transaction_receipt(
            w3.eth.send_transaction({"from": sender, "data": "0x" + init})
        )
        request = {"from": sender, "to": created["contractAddress"]}
        gas = w3.eth.estimate_gas(request)
        assert gas > 100_000
        receipt = w3.eth.wait_for_transaction_receipt(
            w3.eth.send_transaction({**request, "gas": gas})
        )
        assert receipt["status"] == 1

    def test_revert_string_surfaces_as_logic_error(self, counter: Counter) -> None:
        with pytest.raises(ContractLogicError, match="Counter: failed"):
            counter.functions.fail().call()

    @pytest.mark.parametrize("kind", ["legacy", "eip2930", "eip1559"])
    def test_raw_transaction_types_are_mined(self, w3: W3, counter: Counter, kind: str) -> None:
        sender = Account.from_key(DEV_KEY)
        tx: dict[str, Any] = {
            "to": counter.address,
            "data": counter.encode_abi("increment", [1]),
            "gas": 100_000,
            "nonce": w3.eth.get_transaction_count(sender.address, "pending"),
            "chainId": 1337,
            "value": 0,
        }
        if kind == "eip1559":
            tx |= {"maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}
        else:
            tx["gasPrice"] = 10**10
        if kind == "eip2930":
            tx["accessList"] = [{"address": counter.address, "storageKeys": ["0x" + "00" * 32]}]
        signed = sender.sign_transaction(tx)
        receipt = w3.eth.wait_for_transaction_receipt(
            w3.eth.send_raw_transaction(signed.raw_transaction)
        )
        assert receipt["status"] == 1
        assert receipt["type"] == {"legacy": 0, "eip2930": 1, "eip1559": 2}[kind]
        mined = w3.eth.get_transaction(receipt["transactionHash"])
        assert mined["blockNumber"] == receipt["blockNumber"]

    def test_get_logs_filters_by_address_and_topic(self, w3: W3, counter: Counter) -> None:
        start = w3.eth.block_number + 1
        for by in (1, 2, 3):
            counter.functions.increment(by).transact({"from": w3.eth.accounts[0]})
        topic0 = Web3.keccak(text="CounterIncremented(address,uint256,uint256)")
        tag = "0x" + (2).to_bytes(32, "big").hex()
        logs = w3.eth.get_logs(
            {
                "fromBlock": start,
                "toBlock": "latest",
                "address": counter.address,
                "topics": [topic0, None, tag],
            }
        )
        assert len(logs) == 1
        everything = w3.eth.get_logs({"fromBlock": start, "address": counter.address})
        assert [int(log["topics"][2].hex(), 16) for log in everything] == [1, 2, 3]

    def test_polling_filters_see_new_blocks_and_logs(self, w3: W3, counter: Counter) -> None:
        blocks = w3.eth.filter("latest")
        events = counter.events.CounterIncremented.create_filter(from_block="latest")
        tx = counter.functions.increment(7).transact({"from": w3.eth.accounts[0]})
        w3.eth.wait_for_transaction_receipt(tx)
        assert len(_poll(blocks)) == 1  # anvil feeds its filters asynchronously
        (event,) = _poll(events)
        assert event["args"]["tag"] == 7
        assert events.get_new_entries() == []
        assert w3.eth.uninstall_filter(blocks.filter_id)

    def test_block_receipts_fee_history_code_and_storage(self, w3: W3, counter: Counter) -> None:
        tx = counter.functions.increment(4).transact({"from": w3.eth.accounts[0]})
        receipt = w3.eth.wait_for_transaction_receipt(tx)
        (only,) = w3.eth.get_block_receipts(receipt["blockNumber"])
        assert only["transactionHash"] == receipt["transactionHash"]
        history = w3.eth.fee_history(3, "latest", [50])
        assert len(history["baseFeePerGas"]) == 4
        assert len(w3.eth.get_code(counter.address)) > 0
        assert int.from_bytes(w3.eth.get_storage_at(counter.address, 0), "big") == 4
        block = w3.eth.get_block(receipt["blockNumber"], full_transactions=True)
        assert block["transactions"][0]["hash"] == receipt["transactionHash"]
        assert w3.eth.get_block(block["hash"])["number"] == block["number"]

    def test_call_with_state_override(self, w3: W3, counter: Counter) -> None:
        overrides = {counter.address: {"stateDiff": {"0x" + "00" * 32: "0x" + "00" * 31 + "2a"}}}
        result = w3.eth.call(
            {"to": counter.address, "data": counter.encode_abi("count", [])},
            "latest",
            overrides,
        )
        assert int.from_bytes(result, "big") == 42

    def test_snapshot_and_revert_restore_state_and_height(self, w3: W3, counter: Counter) -> None:
        snap = w3.provider.make_request("evm_snapshot", [])["result"]
        height = w3.eth.block_number
        counter.functions.increment(9).transact({"from": w3.eth.accounts[0]})
        assert counter.functions.count().call() == 9
        reverted = w3.provider.make_request("evm_revert", [snap])
        assert reverted["result"] is True
        assert w3.eth.block_number == height
        assert counter.functions.count().call() == 0

    def test_time_travel_moves_block_timestamps(self, w3: W3) -> None:
        before = w3.eth.get_block("latest")["timestamp"]
        w3.provider.make_request("evm_increaseTime", [3600])
        w3.provider.make_request("evm_mine", [])
        assert w3.eth.get_block("latest")["timestamp"] >= before + 3600
        target = w3.eth.get_block("latest")["timestamp"] + 1000
        w3.provider.make_request("evm_setNextBlockTimestamp", [target])
        w3.provider.make_request("evm_mine", [])
        assert w3.eth.get_block("latest")["timestamp"] == target

    def test_reorg_replaces_blocks_and_includes_given_transactions(
        self, w3: W3, counter: Counter, node: NodeProcess
    ) -> None:
        for _ in range(3):
            w3.provider.make_request("evm_mine", [])
        head = w3.eth.block_number
        old = [w3.eth.get_block(n)["hash"] for n in (head - 1, head)]
        request = {
            "from": w3.eth.accounts[0],
            "to": counter.address,
            "data": counter.encode_abi("increment", [3]),
            "gas": "0x30000",
        }
        answer = rpc(node.url, "anvil_reorg", [2, [[request, 1]]])
        assert "error" not in answer, answer
        assert w3.eth.block_number == head
        new = [w3.eth.get_block(n)["hash"] for n in (head - 1, head)]
        assert new[0] != old[0] and new[1] != old[1]
        assert w3.eth.get_block(head)["parentHash"] == new[0]
        assert len(w3.eth.get_block(head)["transactions"]) == 1
        assert counter.functions.count().call() == 3

    def test_websocket_subscriptions_deliver_heads_and_logs(
        self, w3: W3, counter: Counter, node: NodeProcess
    ) -> None:
        async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
            async with websockets.connect(node.ws_url) as ws:
                await ws.send(
                    json.dumps(
                        {
                            "jsonrpc": "2.0",
                            "id": 1,
                            "method": "eth_subscribe",
                            "params": ["newHeads"],
                        }
                    )
                )
                heads = json.loads(await ws.recv())["result"]
                await ws.send(
                    json.dumps(
                        {
                            "jsonrpc": "2.0",
                            "id": 2,
                            "method": "eth_subscribe",
                            "params": ["logs", {"address": counter.address}],
                        }
                    )
                )
                logs = json.loads(await ws.recv())["result"]
                await asyncio.to_thread(
                    counter.functions.increment(2).transact, {"from": w3.eth.accounts[0]}
                )
                got: dict[str, dict[str, Any]] = {}
                while len(got) < 2:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 20))
                    got[message["params"]["subscription"]] = message["params"]["result"]
                return got[heads], got[logs]

        head, log = asyncio.run(scenario())
        assert int(head["number"], 16) == w3.eth.block_number
        assert log["address"].lower() == counter.address.lower()


class TestDevnet(ChainSuite):
    """The suite on the py-evm devnet."""

    @pytest.fixture
    def node(self, devnet_node: NodeProcess) -> NodeProcess:
        return devnet_node


class TestAnvil(ChainSuite):
    """The suite on anvil, the reference."""

    @pytest.fixture
    def node(self, anvil_node: NodeProcess) -> NodeProcess:
        return anvil_node
