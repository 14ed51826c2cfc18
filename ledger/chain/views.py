"""Read the contracts' views at a given block over the indexer's own JSON-RPC client."""

from __future__ import annotations

from typing import Any

from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector

from ledger.chain.rpc import Rpc


def call_view(
    rpc: Rpc, to: str, signature: str, types: list[str], args: list[Any], out: list[str], block: int
) -> Any:
    """`eth_call` of `signature(args)` on `to` at `block`, decoded as `out`."""
    data = function_signature_to_4byte_selector(signature) + encode(types, args)
    raw = rpc.call("eth_call", [{"to": to, "data": "0x" + data.hex()}, hex(block)])
    return decode(out, bytes.fromhex(raw[2:]))


def ledger_head_at(rpc: Rpc, registry: str, block: int) -> tuple[int, bytes]:
    """The registry's `ledgerHead()` (seq, head) after `block`."""
    seq, head = call_view(rpc, registry, "ledgerHead()", [], [], ["uint64", "bytes32"], block)
    return int(seq), bytes(head)
