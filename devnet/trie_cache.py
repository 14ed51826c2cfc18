"""Decoded trie nodes kept between blocks, and faster nibble helpers for py-trie.

py-trie reads every node from the database and RLP-decodes it in pure Python on every
visit; each new block starts a new py-evm state with cold caches, so the same account-trie
nodes were decoded again by `eth_estimateGas`, by execution and by the state-root update of
every block. Nodes are content-addressed (the key is the keccak of the encoding), so a
decoded node is valid for as long as the process lives; :func:`install` makes py-trie's
`HexaryTrie.get_node` look here first. py-trie edits the lists it gets in place, so each
read returns a fresh copy. py-trie's nibble helpers yield one nibble at a time through
generators; the replacements here build the same tuples at C speed. Tests compare roots,
reads and nodes with and without all of this, and each helper with py-trie's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from lru import LRU

CAPACITY = 65_536  # nodes (a few hundred bytes each)
TERMINATOR = 16
_NIBBLES = bytes.maketrans(b"0123456789abcdef", bytes(range(16)))
_decoded: LRU[bytes, Any] = LRU(CAPACITY)


def _copy(node: list[Any]) -> list[Any]:
    return [item if item.__class__ is bytes else _copy(item) for item in node]


def bytes_to_nibbles(value: bytes) -> tuple[int, ...]:
    """The nibbles of `value`, high first (py-trie's, at C speed)."""
    return tuple(value.hex().encode().translate(_NIBBLES))


def add_nibbles_terminator(nibbles: Sequence[int]) -> tuple[int, ...]:
    """`nibbles` ending in the terminator 16."""
    nibbles = tuple(nibbles)
    return nibbles if nibbles and nibbles[-1] == TERMINATOR else (*nibbles, TERMINATOR)


def remove_nibbles_terminator(nibbles: Sequence[int]) -> tuple[int, ...]:
    """`nibbles` without a trailing terminator."""
    nibbles = tuple(nibbles)
    return nibbles[:-1] if nibbles and nibbles[-1] == TERMINATOR else nibbles


def decode_nibbles(value: bytes) -> tuple[int, ...]:
    """The nibbles of a hex-prefix encoded path (a leaf's end with the terminator)."""
    nibbles = bytes_to_nibbles(value)
    flag = nibbles[0]
    raw = nibbles[1:] if flag in (1, 3) else nibbles[2:]
    return (*raw, TERMINATOR) if flag in (2, 3) else raw


def encode_nibbles(nibbles: Sequence[int]) -> bytes:
    """The hex-prefix encoding of a path (terminated: a leaf's)."""
    raw = remove_nibbles_terminator(nibbles)
    flag = 2 if len(raw) != len(nibbles) else 0
    prefixed = (flag + 1, *raw) if len(raw) % 2 else (flag, 0, *raw)
    return bytes(high << 4 | low for high, low in zip(prefixed[::2], prefixed[1::2], strict=True))


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


HELPERS: dict[str, Callable[..., Any]] = {
    "bytes_to_nibbles": bytes_to_nibbles,
    "add_nibbles_terminator": add_nibbles_terminator,
    "remove_nibbles_terminator": remove_nibbles_terminator,
    "decode_nibbles": decode_nibbles,
    "encode_nibbles": encode_nibbles,
}
# what install() replaced: (owner, attribute name, py-trie's original), for tests
ORIGINALS: list[tuple[Any, str, Any]] = []


def install() -> None:
    """Make py-trie use the node cache and the fast nibble helpers (once per process)."""
    import trie.hexary  # noqa: PLC0415  (patched modules, imported for the patch only)
    import trie.utils.nibbles  # noqa: PLC0415
    import trie.utils.nodes  # noqa: PLC0415

    if ORIGINALS:
        return
    replacements: list[tuple[Any, str, Any]] = []
    original = trie.hexary.HexaryTrie.get_node
    replacements.append((trie.hexary.HexaryTrie, "get_node", _cached_get_node(original)))
    for module in (trie.hexary, trie.utils.nibbles, trie.utils.nodes):
        for name, helper in HELPERS.items():
            if hasattr(module, name):
                replacements.append((module, name, helper))
    for owner, name, replacement in replacements:
        ORIGINALS.append((owner, name, getattr(owner, name)))
        setattr(owner, name, replacement)
