"""Fee suggestions: eth_gasPrice, eth_maxPriorityFeePerGas, eth_feeHistory."""

from __future__ import annotations

from typing import Any

from devnet import formatters as fmt
from devnet.errors import invalid_params
from devnet.node import Node
from devnet.rpc import params as p
from devnet.rpc.types import Handler

PRIORITY_FEE = 10**9  # 1 gwei, as anvil suggests
MAX_HISTORY = 1024


def gas_price(node: Node, params: list[Any]) -> Any:
    """eth_gasPrice: next base fee plus the suggested tip."""
    return fmt.qty(node.chain.next_base_fee() + PRIORITY_FEE)


def max_priority_fee(node: Node, params: list[Any]) -> Any:
    """eth_maxPriorityFeePerGas"""
    return fmt.qty(PRIORITY_FEE)


def fee_history(node: Node, params: list[Any]) -> Any:
    """eth_feeHistory(blockCount, newestBlock, rewardPercentiles)"""
    p.expect_count(params, 3)
    count = min(p.quantity(p.arg(params, 0, "block count"), "block count"), MAX_HISTORY)
    newest = p.block_number(node, p.arg(params, 1, "newest block"))
    percentiles = p.arg(params, 2, "reward percentiles", [])
    if not isinstance(percentiles, list):
        raise invalid_params("reward percentiles: expected a list")
    oldest = max(0, newest - count + 1)
    headers = [node.header_for(n) for n in range(oldest, newest + 1)]
    base_fees = [fmt.qty(h.base_fee_per_gas) for h in headers]
    base_fees.append(fmt.qty(_next_base_fee(node, newest)))
    out: dict[str, Any] = {
        "oldestBlock": fmt.qty(oldest),
        "baseFeePerGas": base_fees,
        "gasUsedRatio": [h.gas_used / h.gas_limit for h in headers],
        "baseFeePerBlobGas": ["0x1"] * (len(headers) + 1),
        "blobGasUsedRatio": [0.0] * len(headers),
    }
    if percentiles:
        out["reward"] = [[fmt.qty(PRIORITY_FEE) for _ in percentiles] for _ in headers]
    return out


def _next_base_fee(node: Node, number: int) -> int:
    following = node.chain.header_by_number(number + 1)
    if following is not None:
        return int(following.base_fee_per_gas)
    return node.chain.next_base_fee()


METHODS: dict[str, Handler] = {
    "eth_gasPrice": gas_price,
    "eth_maxPriorityFeePerGas": max_priority_fee,
    "eth_feeHistory": fee_history,
}
