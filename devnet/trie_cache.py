"""Decoded trie nodes kept between blocks, and a faster key-to-nibbles split.

py-trie reads every node from the database and RLP-decodes it in pure Python on every
visit; each new block starts a new py-evm state with cold caches, so the same account-trie
nodes were decoded again by `eth_estimateGas`, by execution and by the state-root update of
every block. Nodes are content-addressed (the key is the keccak of the encoding), so a
decoded node is valid for as long as the process lives; :func:`install` makes py-trie's
`HexaryTrie.get_node` look here first. py-trie edits the lists it gets in place, so each
read returns a fresh copy. Tests compare state roots with and without the cache.
"""

from __future__ import annotations

from typing import Any

from lru import LRU

CAPACITY = 65_536  # nodes (a few hundred bytes each)
_NIBBLES = bytes.maketrans(b"0123456789abcdef", bytes(range(16)))
_decoded: LRU[bytes, Any] = LRU(CAPACITY)


def _copy(node: list[Any]) -> list[Any]:
    return [item if item.__class__ is bytes else _copy(item) for item in node]


def bytes_to_nibbles(value: bytes) -> tuple[int, ...]:
    """The nibbles of `value`, high first (py-trie's, at C speed)."""
    return tuple(value.hex().encode().translate(_NIBBLES))


def _cached_get_node(original: Any) -> Any:
    def get_node(self: Any, node_hash: Any) -> Any:
        if node_hash.__class__ is not bytes or len(node_hash) != 32:
            return original(self, node_hash)
        node = _decoded.get(node_hash)
        if node is None:
            node = original(self, node_hash)  # KeyError/MissingTrieNode pass through
            if node.__class__ is list:  # not the blank node
                _decoded[node_hash] = _copy(node)  # the caller may edit the one it gets
            return node
        return _copy(node)

    return get_node


def install() -> None:
    """Make py-trie use the node cache and the fast nibble split."""
    import trie.hexary  # noqa: PLC0415  (patched modules, imported for the patch only)
    import trie.utils.nibbles  # noqa: PLC0415

    original = trie.hexary.HexaryTrie.get_node
    if getattr(original, "devnet_original", None) is not None:
        return
    patched = _cached_get_node(original)
    patched.devnet_original = original  # for tests
    setattr(trie.hexary.HexaryTrie, "get_node", patched)  # noqa: B010
    setattr(trie.hexary, "bytes_to_nibbles", bytes_to_nibbles)  # noqa: B010
    setattr(trie.utils.nibbles, "bytes_to_nibbles", bytes_to_nibbles)  # noqa: B010
