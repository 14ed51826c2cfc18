"""Sending and finding transactions."""

from __future__ import annotations

from typing import Any

import rlp  # type: ignore[import-untyped]
from eth_utils.exceptions import ValidationError

from devnet import formatters as fmt
from devnet._types import Header, Tx
from devnet.chain import CallMessage
from devnet.errors import INVALID_INPUT, RpcError, invalid_params
from devnet.node import Node
from devnet.rpc import params as p
from devnet.rpc.fees import PRIORITY_FEE
from devnet.rpc.types import Handler
from devnet.signatures import sign_dynamic_fee


def decode_raw(node: Node, raw: bytes) -> Tx:
    """A signed transaction from raw bytes, or -32602 when they do not decode."""
    try:
        return node.chain.decode(raw)
    except (rlp.DecodingError, rlp.DeserializationError, ValidationError, ValueError) as exc:
        raise invalid_params(f"invalid raw transaction: {exc}") from exc


def send_raw_transaction(node: Node, params: list[Any]) -> Any:
    """eth_sendRawTransaction(data): legacy, EIP-2930 and EIP-1559 transactions."""
    p.expect_count(params, 1)
    raw = p.hexdata(p.arg(params, 0, "transaction"), "transaction")
    return fmt.data(node.submit(decode_raw(node, raw)))


def send_transaction(node: Node, params: list[Any]) -> Any:
    """eth_sendTransaction(tx): signed by the node with a dev account's key."""
    p.expect_count(params, 1)
    request = p.arg(params, 0, "transaction")
    if not isinstance(request, dict) or not request.get("from"):
        raise invalid_params("transaction: expected an object with `from`")
    sender = p.address(request["from"], "from")
    account = node.keys.get(sender)
    if account is None:
        raise RpcError(INVALID_INPUT, f"no key for account {request['from']}")
    return fmt.data(node.submit(build_transaction(node, request, sender, account.key), sender))


def build_transaction(node: Node, request: dict[str, Any], sender: bytes, key: Any) -> Tx:
    """Fill nonce, gas and fees of a request and sign it with `key`."""
    msg = p.call_message(request)
    nonce = request.get("nonce")
    nonce_value = p.quantity(nonce, "nonce") if nonce is not None else node.pending_nonce(sender)
    gas = msg.gas
    if gas is None:
        gas = node.chain.estimate_gas(
            CallMessage(msg.sender, msg.to, None, msg.value, msg.data), node.chain.head
        )
    builder = node.chain.chain.get_vm().get_transaction_builder()
    if request.get("gasPrice") is not None:
        unsigned = builder.create_unsigned_transaction(
            nonce=nonce_value,
            gas_price=p.quantity(request["gasPrice"], "gasPrice"),
            gas=gas,
            to=msg.to,
            value=msg.value,
            data=msg.data,
        )
        return unsigned.as_signed_transaction(key, chain_id=node.config.chain_id)
    tip = _opt_qty(request, "maxPriorityFeePerGas", PRIORITY_FEE)
    max_fee = _opt_qty(request, "maxFeePerGas", 2 * node.chain.next_base_fee() + tip)
    fields = (node.config.chain_id, nonce_value, tip, max_fee, gas, msg.to, msg.value, msg.data)
    return sign_dynamic_fee(builder, key.to_bytes(), sender, fields)


def _opt_qty(request: dict[str, Any], name: str, default: int) -> int:
    value = request.get(name)
    return p.quantity(value, name) if value is not None else default


def get_transaction_by_hash(node: Node, params: list[Any]) -> Any:
    """eth_getTransactionByHash(hash): mined or pending, else null."""
    p.expect_count(params, 1)
    tx_hash = p.block_hash(p.arg(params, 0, "transaction hash"), "transaction hash")
    found = node.chain.tx_json(tx_hash)
    if found is not None:
        return found
    pending = node.pool.get(tx_hash)
    return fmt.transaction(pending, None, None) if pending is not None else None


def get_transaction_by_block_hash_and_index(node: Node, params: list[Any]) -> Any:
    """eth_getTransactionByBlockHashAndIndex(hash, index): null when either is unknown."""
    p.expect_count(params, 2)
    header = node.chain.header_by_hash(p.block_hash(p.arg(params, 0, "block hash")))
    return _by_index(node, header, p.arg(params, 1, "index"))


def get_transaction_by_block_number_and_index(node: Node, params: list[Any]) -> Any:
    """eth_getTransactionByBlockNumberAndIndex(tag, index): null when either is unknown."""
    p.expect_count(params, 2)
    number = p.block_number(node, p.arg(params, 0, "block"))
    return _by_index(node, node.chain.header_by_number(number), p.arg(params, 1, "index"))


def _by_index(node: Node, header: Header | None, index: Any) -> Any:
    position = p.quantity(index, "index")
    if header is None or not node.chain.is_canonical(header):
        return None
    hashes = node.chain.block_tx_hashes(header)
    return node.chain.tx_json(hashes[position]) if position < len(hashes) else None


def get_transaction_receipt(node: Node, params: list[Any]) -> Any:
    """eth_getTransactionReceipt(hash): null until the block holding it is durable."""
    p.expect_count(params, 1)
    tx_hash = p.block_hash(p.arg(params, 0, "transaction hash"), "transaction hash")
    return node.chain.receipt_json(tx_hash)


METHODS: dict[str, Handler] = {
    "eth_sendRawTransaction": send_raw_transaction,
    "eth_sendTransaction": send_transaction,
    "eth_getTransactionByHash": get_transaction_by_hash,
    "eth_getTransactionByBlockHashAndIndex": get_transaction_by_block_hash_and_index,
    "eth_getTransactionByBlockNumberAndIndex": get_transaction_by_block_number_and_index,
    "eth_getTransactionReceipt": get_transaction_receipt,
}
