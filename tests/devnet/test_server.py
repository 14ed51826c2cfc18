"""Subscriptions and filters hear about reorgs: dropped logs come back with removed=true."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path
from typing import Any

import websockets

from devnet.server import SHUTDOWN_GRACE
from tests.devnet.nodes import NodeProcess, counter_artifact, rpc, start_devnet

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


def test_sigterm_stops_the_node_promptly_with_a_subscription_open(tmp_path: Path) -> None:
    """An open subscription does not hold the node for aiohttp's default 60 s of grace: the
    demo stops it with SIGTERM and kills it after 15 s."""
    node = start_devnet(tmp_path / "chain")
    try:

        async def subscribed_then_terminated() -> float:
            async with websockets.connect(node.ws_url) as ws:
                request = {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "eth_subscribe",
                    "params": ["newHeads"],
                }
                await ws.send(json.dumps(request))
                assert "result" in json.loads(await ws.recv())
                start = time.monotonic()
                node.proc.send_signal(signal.SIGTERM)
                await asyncio.to_thread(node.proc.wait, 30)
                return time.monotonic() - start

        seconds = asyncio.run(subscribed_then_terminated())
    finally:
        node.stop()
    assert node.proc.returncode == 0
    assert seconds < SHUTDOWN_GRACE + 8, f"the node took {seconds:.1f} s to stop"
