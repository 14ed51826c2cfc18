"""Subscriptions and filters hear about reorgs: dropped logs come back with removed=true."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

from tests.devnet.nodes import NodeProcess, counter_artifact, rpc

SENDER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def _send(url: str, tx: dict[str, Any]) -> dict[str, Any]:
    tx_hash = rpc(url, "eth_sendTransaction", [{"from": SENDER, **tx}])["result"]
    receipt: dict[str, Any] = rpc(url, "eth_getTransactionReceipt", [tx_hash])["result"]
    return receipt


def test_reorg_reports_removed_logs_to_subscribers_and_filters(devnet_node: NodeProcess) -> None:
    url = devnet_node.url
    address = _send(url, {"data": counter_artifact()["bytecode"]})["contractAddress"]
    log_filter = rpc(url, "eth_newFilter", [{"address": address}])["result"]
    increment = "0x7cf5dab0" + (5).to_bytes(32, "big").hex()

    async def scenario() -> list[dict[str, Any]]:
        async with websockets.connect(devnet_node.ws_url) as ws:
            request = {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "eth_subscribe",
                "params": ["logs", {"address": address}],
            }
            await ws.send(json.dumps(request))
            json.loads(await ws.recv())
            await asyncio.to_thread(_send, url, {"to": address, "data": increment})
            await asyncio.to_thread(rpc, url, "anvil_reorg", [1, []])
            seen = []
            for _ in range(2):
                message = json.loads(await asyncio.wait_for(ws.recv(), 20))
                seen.append(message["params"]["result"])
            return seen

    added, removed = asyncio.run(scenario())
    assert added["removed"] is False
    assert removed["removed"] is True
    assert removed["transactionHash"] == added["transactionHash"]
    changes = rpc(url, "eth_getFilterChanges", [log_filter])["result"]
    assert [c["removed"] for c in changes] == [False, True]
    assert rpc(url, "eth_getTransactionReceipt", [added["transactionHash"]])["result"] is None
    assert rpc(url, "eth_getLogs", [{"address": address, "fromBlock": "0x0"}])["result"] == []
