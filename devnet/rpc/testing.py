"""Test methods with anvil's names and parameters: snapshots, mining, time, reorgs."""

from __future__ import annotations

from typing import Any

from devnet._types import Tx
from devnet.errors import invalid_params
from devnet.node import Node
from devnet.rpc import params as p
from devnet.rpc.transactions import build_transaction, decode_raw
from devnet.rpc.types import Handler


def snapshot(node: Node, params: list[Any]) -> Any:
    """evm_snapshot: an id for evm_revert."""
    return hex(node.snapshot())


def revert(node: Node, params: list[Any]) -> Any:
    """evm_revert(id): true when the snapshot existed."""
    p.expect_count(params, 1)
    return node.revert(p.quantity(p.arg(params, 0, "snapshot id"), "snapshot id"))


def mine(node: Node, params: list[Any]) -> Any:
    """evm_mine(timestamp | {timestamp, blocks}): mine pending transactions."""
    p.expect_count(params, 1)
    option = p.arg(params, 0, "options", None)
    blocks, timestamp = 1, None
    if isinstance(option, dict):
        blocks = p.quantity(option.get("blocks", 1), "blocks")
        if option.get("timestamp") is not None:
            timestamp = p.quantity(option["timestamp"], "timestamp")
    elif option is not None:
        timestamp = p.quantity(option, "timestamp")
    for i in range(blocks):
        node.mine(timestamp=None if timestamp is None else timestamp + i)
    return "0x0"


def increase_time(node: Node, params: list[Any]) -> Any:
    """evm_increaseTime(seconds): the total offset in seconds."""
    p.expect_count(params, 1)
    seconds = p.quantity(p.arg(params, 0, "seconds"), "seconds")
    return hex(node.clock.increase(seconds, node.chain.head.timestamp))


def set_next_block_timestamp(node: Node, params: list[Any]) -> Any:
    """evm_setNextBlockTimestamp(timestamp)"""
    p.expect_count(params, 1)
    when = p.quantity(p.arg(params, 0, "timestamp"), "timestamp")
    if when <= node.chain.head.timestamp:
        raise invalid_params(
            f"timestamp {when} must be later than the head's {node.chain.head.timestamp}"
        )
    node.clock.set_next(when)
    return None


def reorg(node: Node, params: list[Any]) -> Any:
    """anvil_reorg(depth, [[tx, blockOffset], ...]): replace the last `depth` blocks.

    A tx is raw signed hex or a request object that a dev account signs after the rewind.
    """
    p.expect_count(params, 2)
    depth = p.quantity(p.arg(params, 0, "depth"), "depth")
    pairs = p.arg(params, 1, "transactions", [])
    if not isinstance(pairs, list):
        raise invalid_params("transactions: expected a list of [tx, blockOffset]")
    parsed = [_reorg_tx(node, pair) for pair in pairs]
    node.check_reorg(depth, [at for _, at in parsed])
    node.pool.clear()
    node.rewind(node.chain.head.block_number - depth)
    nonces: dict[bytes, int] = {}
    for offset in range(depth):
        txs = [_signed(node, tx, nonces) for tx, at in parsed if at == offset]
        node.mine(txs)
    return None


def _reorg_tx(node: Node, pair: Any) -> tuple[Any, int]:
    if not isinstance(pair, list) or len(pair) != 2:
        raise invalid_params("transactions: each entry must be [tx, blockOffset]")
    tx, offset = pair
    at = p.quantity(offset, "block offset")
    if isinstance(tx, str):
        return decode_raw(node, p.hexdata(tx, "transaction")), at
    if not isinstance(tx, dict) or p.address(tx.get("from"), "from") not in node.keys:
        raise invalid_params("transactions: a request object needs `from` of a dev account")
    return tx, at


def _signed(node: Node, tx: Any, nonces: dict[bytes, int]) -> Tx:
    if not isinstance(tx, dict):
        return tx
    sender = p.address(tx["from"], "from")
    nonce = nonces.get(sender, node.pending_nonce(sender))
    nonces[sender] = nonce + 1
    request = {**tx, "nonce": hex(nonce)}
    return build_transaction(node, request, sender, node.keys[sender].key)


METHODS: dict[str, Handler] = {
    "evm_snapshot": snapshot,
    "evm_revert": revert,
    "evm_mine": mine,
    "evm_increaseTime": increase_time,
    "evm_setNextBlockTimestamp": set_next_block_timestamp,
    "anvil_reorg": reorg,
}
