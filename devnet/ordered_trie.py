"""Root and nodes of an index-keyed Merkle Patricia trie (transactions, receipts), fast.

py-evm builds these tries by inserting items one by one into a HexaryTrie, which took a
third of the mining time of a 500-transaction block (see docs/devnet.md). The keys are
rlp(0), rlp(1), ..., known up front, so the trie can be built bottom-up from the sorted
keys in one pass. :func:`install` makes py-evm use this builder; tests check it yields
the same root and nodes as py-evm's own on random inputs.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from eth.constants import BLANK_ROOT_HASH
from eth_hash.auto import keccak

Node = list[Any]
Item = tuple[bytes, bytes]  # (key as nibbles, one per byte; value)


def rlp_encode(value: bytes | list[Any]) -> bytes:
    """RLP of bytes or (nested) lists of bytes."""
    if isinstance(value, bytes):
        if len(value) == 1 and value[0] < 0x80:
            return value
        return _length_prefix(len(value), 0x80) + value
    payload = b"".join(rlp_encode(item) for item in value)
    return _length_prefix(len(payload), 0xC0) + payload


def _length_prefix(length: int, offset: int) -> bytes:
    if length < 56:
        return bytes([offset + length])
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([offset + 55 + len(size)]) + size


def _index_key(index: int) -> bytes:
    raw = rlp_encode(index.to_bytes((index.bit_length() + 7) // 8, "big") if index else b"")
    return bytes(n for byte in raw for n in (byte >> 4, byte & 0x0F))


def _hex_prefix(nibbles: bytes, leaf: bool) -> bytes:
    flag = 2 if leaf else 0
    if len(nibbles) % 2:
        head = bytes([(flag + 1) << 4 | nibbles[0]])
        nibbles = nibbles[1:]
    else:
        head = bytes([flag << 4])
    return head + bytes(nibbles[i] << 4 | nibbles[i + 1] for i in range(0, len(nibbles), 2))


def _ref(node: Node, nodes: dict[bytes, bytes]) -> Any:
    encoded = rlp_encode(node)
    if len(encoded) < 32:
        return node
    digest = keccak(encoded)
    nodes[digest] = encoded
    return digest


def _common_prefix(a: bytes, b: bytes, start: int) -> int:
    length = 0
    for x, y in zip(a[start:], b[start:], strict=False):
        if x != y:
            break
        length += 1
    return length


def _build(items: Sequence[Item], depth: int, nodes: dict[bytes, bytes]) -> Node:
    if len(items) == 1:
        key, value = items[0]
        return [_hex_prefix(key[depth:], leaf=True), value]
    shared = _common_prefix(items[0][0], items[-1][0], depth)
    if shared:
        child = _build(items, depth + shared, nodes)
        return [_hex_prefix(items[0][0][depth : depth + shared], leaf=False), _ref(child, nodes)]
    branch: Node = [b""] * 17
    start = 0
    if len(items[0][0]) == depth:  # a key ends here: its value sits in the branch
        branch[16] = items[0][1]
        start = 1
    while start < len(items):
        nibble = items[start][0][depth]
        end = start
        while end < len(items) and items[end][0][depth] == nibble:
            end += 1
        branch[nibble] = _ref(_build(items[start:end], depth + 1, nodes), nodes)
        start = end
    return branch


def ordered_trie_root(values: Sequence[bytes]) -> tuple[bytes, dict[bytes, bytes]]:
    """Root hash and hash -> node of the trie mapping rlp(i) to values[i]."""
    if not values:
        return BLANK_ROOT_HASH, {}
    items = sorted((_index_key(i), v) for i, v in enumerate(values))
    nodes: dict[bytes, bytes] = {}
    encoded = rlp_encode(_build(items, 0, nodes))
    root = keccak(encoded)
    nodes[root] = encoded
    return root, nodes


def make_trie_root_and_nodes(items: Sequence[Any]) -> tuple[bytes, dict[bytes, bytes]]:
    """Drop-in for eth.db.trie.make_trie_root_and_nodes (cached: blocks are validated too)."""
    return _cached_root(tuple(item.encode() for item in items))


@functools.lru_cache(16)
def _cached_root(values: tuple[bytes, ...]) -> tuple[bytes, dict[bytes, bytes]]:
    return ordered_trie_root(values)


def install() -> None:
    """Make py-evm's VM and ChainDB build block tries with this module."""
    import eth.db.chain  # noqa: PLC0415  (patched modules, imported for the patch only)
    import eth.vm.base  # noqa: PLC0415

    setattr(eth.vm.base, "make_trie_root_and_nodes", make_trie_root_and_nodes)  # noqa: B010
    setattr(eth.db.chain, "make_trie_root_and_nodes", make_trie_root_and_nodes)  # noqa: B010
