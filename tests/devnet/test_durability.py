"""Crash test: kill -9 the devnet under load, again and again, and check what survived.

After each restart every receipt a client was given is still there in the same block,
parent hashes link back to genesis, and at the end re-executing every block on a fresh
in-memory chain reproduces each stored state root.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from eth.db.atomic import AtomicDB
from eth_account import Account

from devnet.accounts import derive_accounts
from devnet.config import DevnetConfig
from devnet.db import DiskDB, open_store
from devnet.genesis import chain_class
from tests.devnet.nodes import DEV_KEY, NodeProcess, rpc, start_devnet

KILLS = 20  # the default: commits reach the page cache, no fsync
KILLS_FSYNC = 8  # --fsync: the same guarantee, the synced path exercised


class Load(threading.Thread):
    """Sends signed transfers one by one and records every receipt it is given."""

    def __init__(self, url: str, nonce: int, acknowledged: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.url, self.nonce, self.acknowledged = url, nonce, acknowledged

    def run(self) -> None:
        while True:
            tx = {
                "to": "0x" + "22" * 20,
                "value": 1,
                "gas": 21_000,
                "nonce": self.nonce,
                "chainId": 1337,
                "maxFeePerGas": 10**10,
                "maxPriorityFeePerGas": 10**9,
            }
            raw = "0x" + bytes(Account.sign_transaction(tx, DEV_KEY).raw_transaction).hex()
            try:
                sent = rpc(self.url, "eth_sendRawTransaction", [raw], timeout=5)
                receipt = rpc(self.url, "eth_getTransactionReceipt", [sent["result"]], timeout=5)
            except (OSError, KeyError):
                return
            if receipt.get("result"):
                self.acknowledged[receipt["result"]["transactionHash"]] = receipt["result"][
                    "blockHash"
                ]
                self.nonce += 1


def _check_survivors(url: str, acknowledged: dict[str, str]) -> None:
    for tx_hash, block_hash in acknowledged.items():
        receipt = rpc(url, "eth_getTransactionReceipt", [tx_hash])["result"]
        assert receipt is not None, f"acknowledged {tx_hash} lost"
        assert receipt["blockHash"] == block_hash


def _check_links(url: str) -> int:
    head = int(rpc(url, "eth_blockNumber")["result"], 16)
    batch = [rpc(url, "eth_getBlockByNumber", [hex(n), False])["result"] for n in range(head + 1)]
    for parent, child in itertools.pairwise(batch):
        assert child["parentHash"] == parent["hash"]
    return head


def _replay(data_dir: Path) -> int:
    """Re-execute every stored block on an in-memory chain; return how many."""
    config = DevnetConfig(data_dir=data_dir)
    store = DiskDB(open_store(data_dir / "chain"))
    stored: Any = chain_class(config.chain_id)(store)
    genesis = stored.get_canonical_block_by_number(0).header
    accounts = derive_accounts(config.mnemonic, config.accounts)
    state = {
        a.address: {"balance": config.balance_wei, "nonce": 0, "code": b"", "storage": {}}
        for a in accounts
    }
    params = {
        name: getattr(genesis, name)
        for name in (
            "coinbase",
            "difficulty",
            "extra_data",
            "gas_limit",
            "mix_hash",
            "nonce",
            "receipt_root",
            "timestamp",
            "transaction_root",
        )
    }
    fresh: Any = chain_class(config.chain_id).from_genesis(AtomicDB(), params, state)
    assert fresh.get_canonical_head().hash == genesis.hash
    head = stored.get_canonical_head().block_number
    for number in range(1, head + 1):
        block = stored.get_canonical_block_by_number(number)
        fresh.import_block(block)  # validates the state root and receipts root
        assert fresh.get_canonical_head().state_root == block.header.state_root
    store.close()
    return int(head)


@pytest.mark.parametrize(("flags", "kills"), [((), KILLS), (("--fsync",), KILLS_FSYNC)])
def test_kill_9_under_load_loses_no_acknowledged_receipt(
    tmp_path: Path, flags: tuple[str, ...], kills: int
) -> None:
    rng = random.Random(4)
    data_dir = tmp_path / "chain"
    acknowledged: dict[str, str] = {}
    nonce = 0
    node: NodeProcess | None = None
    for _ in range(kills):
        node = start_devnet(data_dir, *flags)
        _check_survivors(node.url, acknowledged)
        _check_links(node.url)
        nonce = int(
            rpc(node.url, "eth_getTransactionCount", [Account.from_key(DEV_KEY).address, "latest"])[
                "result"
            ],
            16,
        )
        load = Load(node.url, nonce, acknowledged)
        load.start()
        time.sleep(rng.uniform(0.05, 0.4))
        node.kill()
        load.join(timeout=10)
    node = start_devnet(data_dir, *flags)
    _check_survivors(node.url, acknowledged)
    head = _check_links(node.url)
    node.stop()
    assert len(acknowledged) >= kills, "too little load to mean anything"
    assert _replay(data_dir) == head
