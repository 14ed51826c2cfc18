"""Blocks by number or hash, and all receipts of a block."""

from __future__ import annotations

from typing import Any

from devnet import formatters as fmt
from devnet._types import Header
from devnet.errors import invalid_params
from devnet.node import Node
from devnet.rpc import params as p
from devnet.rpc.types import Handler


def get_block_by_number(node: Node, params: list[Any]) -> Any:
    """eth_getBlockByNumber(tag, full): null past the head."""
    p.expect_count(params, 2)
    number = p.block_number(node, p.arg(params, 0, "block"))
    full = _flag(p.arg(params, 1, "full transactions", False))
    header = node.chain.header_by_number(number)
    return None if header is None else node.chain.block_json(header, full)


def get_block_by_hash(node: Node, params: list[Any]) -> Any:
    """eth_getBlockByHash(hash, full): null when unknown."""
    p.expect_count(params, 2)
    header = node.chain.header_by_hash(p.block_hash(p.arg(params, 0, "block hash")))
    full = _flag(p.arg(params, 1, "full transactions", False))
    return None if header is None else node.chain.block_json(header, full)


def get_block_receipts(node: Node, params: list[Any]) -> Any:
    """eth_getBlockReceipts(block): the receipts in transaction order."""
    p.expect_count(params, 1)
    header = canonical_header(node, p.arg(params, 0, "block"))
    if header is None:
        return None
    return [node.chain.receipt_json(h) for h in node.chain.block_tx_hashes(header)]


def transaction_count_by_hash(node: Node, params: list[Any]) -> Any:
    """eth_getBlockTransactionCountByHash(hash): null when unknown."""
    p.expect_count(params, 1)
    header = node.chain.header_by_hash(p.block_hash(p.arg(params, 0, "block hash")))
    return None if header is None else fmt.qty(len(node.chain.block_tx_hashes(header)))


def transaction_count_by_number(node: Node, params: list[Any]) -> Any:
    """eth_getBlockTransactionCountByNumber(tag): null past the head."""
    p.expect_count(params, 1)
    number = p.block_number(node, p.arg(params, 0, "block"))
    header = node.chain.header_by_number(number)
    return None if header is None else fmt.qty(len(node.chain.block_tx_hashes(header)))


def canonical_header(node: Node, tag: Any) -> Header | None:
    """The canonical header a block hash, number or tag names, or None."""
    header: Header | None
    if isinstance(tag, str) and len(tag) == 66:
        header = node.chain.header_by_hash(p.block_hash(tag))
    else:
        header = node.chain.header_by_number(p.block_number(node, tag))
    if header is None or not node.chain.is_canonical(header):
        return None
    return header


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise invalid_params("full transactions: expected true or false")
    return value


METHODS: dict[str, Handler] = {
    "eth_getBlockByNumber": get_block_by_number,
    "eth_getBlockByHash": get_block_by_hash,
    "eth_getBlockReceipts": get_block_receipts,
    "eth_getBlockTransactionCountByHash": transaction_count_by_hash,
    "eth_getBlockTransactionCountByNumber": transaction_count_by_number,
}
