"""`eth_getLogs` over a block range in pages, halving a page while the node refuses it."""

from __future__ import annotations

from typing import Any

from ledger.chain.rpc import RangeRefusedError, Rpc

SPAN = 10_000  # blocks per eth_getLogs, halved while the node refuses


def get_logs(rpc: Rpc, addresses: list[str], first: int, last_block: int) -> list[dict[str, Any]]:
    """Every log of `addresses` from block `first` to `last_block`, in the node's order."""
    logs: list[dict[str, Any]] = []
    span = SPAN
    while first <= last_block:
        last = min(last_block, first + span - 1)
        query = {"fromBlock": hex(first), "toBlock": hex(last), "address": addresses}
        try:
            logs += rpc.call("eth_getLogs", [query])
        except RangeRefusedError:
            if span == 1:
                raise
            span //= 2
            continue
        first = last + 1
    return logs
