"""Interval mining: transactions wait in the pool, blocks come at the set rate."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from eth_account import Account

from tests.devnet.nodes import DEV_KEY, rpc, running, signed_transfer, start_devnet

SENDER = Account.from_key(DEV_KEY).address


def _transfer(nonce: int) -> str:
    return signed_transfer(DEV_KEY, nonce, to="0x" + "44" * 20)


def _wait_for_receipt(url: str, tx_hash: str, timeout: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        receipt: dict[str, Any] | None = rpc(url, "eth_getTransactionReceipt", [tx_hash])["result"]
        if receipt is not None:
            return receipt
        time.sleep(0.05)
    raise AssertionError(f"no receipt for {tx_hash} within {timeout} s")


def test_interval_mining_queues_then_mines_in_one_block(tmp_path: Path) -> None:
    with running(start_devnet(tmp_path / "chain", "--block-time", "1")) as node:
        url = node.url
        hashes = [rpc(url, "eth_sendRawTransaction", [_transfer(n)])["result"] for n in range(3)]
        pending = rpc(url, "eth_getTransactionByHash", [hashes[2]])["result"]
        if rpc(url, "eth_getTransactionReceipt", [hashes[2]])["result"] is None:
            assert pending["blockNumber"] is None
            assert rpc(url, "eth_getTransactionCount", [SENDER, "pending"])["result"] == "0x3"
        receipts = [_wait_for_receipt(url, h) for h in hashes]
        assert len({r["blockNumber"] for r in receipts}) == 1
        assert [int(r["transactionIndex"], 16) for r in receipts] == [0, 1, 2]
        first = int(rpc(url, "eth_blockNumber")["result"], 16)
        time.sleep(2.5)
        assert int(rpc(url, "eth_blockNumber")["result"], 16) >= first + 1  # empty blocks too


def test_gap_in_nonces_is_refused_in_interval_mode_too(tmp_path: Path) -> None:
    with running(start_devnet(tmp_path / "chain", "--block-time", "5")) as node:
        assert "result" in rpc(node.url, "eth_sendRawTransaction", [_transfer(0)])
        error = rpc(node.url, "eth_sendRawTransaction", [_transfer(2)])["error"]
        assert "nonce too high: next nonce 1" in error["message"]
