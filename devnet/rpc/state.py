"""Account state and execution: balances, nonces, code, storage, eth_call, eth_estimateGas."""

from __future__ import annotations

from typing import Any

from devnet import formatters as fmt
from devnet.chain import raise_for_error
from devnet.node import Node
from devnet.rpc import params as p
from devnet.rpc.types import Handler


def get_balance(node: Node, params: list[Any]) -> Any:
    """eth_getBalance(address, block)"""
    p.expect_count(params, 2)
    who = p.address(p.arg(params, 0, "address"))
    header = p.header(node, p.arg(params, 1, "block", "latest"))
    return fmt.qty(node.chain.state(header).get_balance(who))


def get_transaction_count(node: Node, params: list[Any]) -> Any:
    """eth_getTransactionCount(address, block); "pending" counts queued transactions."""
    p.expect_count(params, 2)
    who = p.address(p.arg(params, 0, "address"))
    tag = p.arg(params, 1, "block", "latest")
    if tag == "pending":
        return fmt.qty(node.pending_nonce(who))
    return fmt.qty(node.chain.state(p.header(node, tag)).get_nonce(who))


def get_code(node: Node, params: list[Any]) -> Any:
    """eth_getCode(address, block)"""
    p.expect_count(params, 2)
    who = p.address(p.arg(params, 0, "address"))
    header = p.header(node, p.arg(params, 1, "block", "latest"))
    return fmt.data(node.chain.state(header).get_code(who))


def get_storage_at(node: Node, params: list[Any]) -> Any:
    """eth_getStorageAt(address, slot, block)"""
    p.expect_count(params, 3)
    who = p.address(p.arg(params, 0, "address"))
    slot = p.quantity(p.arg(params, 1, "slot"), "slot")
    header = p.header(node, p.arg(params, 2, "block", "latest"))
    value = node.chain.state(header).get_storage(who, slot)
    return fmt.data(int(value).to_bytes(32, "big"))


def call(node: Node, params: list[Any]) -> Any:
    """eth_call(tx, block, stateOverrides); a revert is error 3 with the revert data."""
    p.expect_count(params, 3)
    msg = p.call_message(p.arg(params, 0, "transaction"))
    header = p.header(node, p.arg(params, 1, "block", "latest"))
    overrides = p.state_overrides(p.arg(params, 2, "state overrides", None))
    computation = node.chain.call(msg, header, overrides)
    raise_for_error(computation)
    return fmt.data(computation.output)


def estimate_gas(node: Node, params: list[Any]) -> Any:
    """eth_estimateGas(tx, block)"""
    p.expect_count(params, 3)
    msg = p.call_message(p.arg(params, 0, "transaction"))
    header = p.header(node, p.arg(params, 1, "block", "latest"))
    return fmt.qty(node.chain.estimate_gas(msg, header))


METHODS: dict[str, Handler] = {
    "eth_getBalance": get_balance,
    "eth_getTransactionCount": get_transaction_count,
    "eth_getCode": get_code,
    "eth_getStorageAt": get_storage_at,
    "eth_call": call,
    "eth_estimateGas": estimate_gas,
}
