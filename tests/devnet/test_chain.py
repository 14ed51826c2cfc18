"""DevChain's JSON indexes: objects stored by an older devnet are served in today's shape."""

from __future__ import annotations

from pathlib import Path

import orjson

from devnet.chain import TX_PREFIX
from devnet.db import open_store
from tests.devnet.nodes import DEV_KEY, rpc, running, signed_transfer, start_devnet


def test_transaction_stored_without_block_timestamp_gets_it_from_its_block(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "chain"
    with running(start_devnet(data_dir)) as node:
        tx_hash = rpc(node.url, "eth_sendRawTransaction", [signed_transfer(DEV_KEY, 0)])["result"]
        served = rpc(node.url, "eth_getTransactionByHash", [tx_hash])["result"]
    key = TX_PREFIX + bytes.fromhex(tx_hash[2:])
    store = open_store(data_dir / "chain")
    stored = orjson.loads(store.get(key) or b"null")
    assert stored["blockTimestamp"] == served["blockTimestamp"]
    del stored["blockTimestamp"]  # as indexed before the field existed
    store.commit({key: orjson.dumps(stored)})
    store.close()
    with running(start_devnet(data_dir)) as node:
        again = rpc(node.url, "eth_getTransactionByHash", [tx_hash])["result"]
        block = rpc(node.url, "eth_getBlockByHash", [again["blockHash"], False])["result"]
    assert again == served
    assert again["blockTimestamp"] == block["timestamp"]
