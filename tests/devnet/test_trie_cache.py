"""py-trie with the devnet's node cache computes the same roots and nodes as without it."""

from __future__ import annotations

import pytest
from eth.db.backends.memory import MemoryDB
from hypothesis import given, settings
from hypothesis import strategies as st
from trie.hexary import HexaryTrie

from devnet import trie_cache

trie_cache.install()
KEYS = st.binary(min_size=1, max_size=8) | st.binary(min_size=32, max_size=32)
BATCH = st.lists(st.tuples(KEYS, st.binary(max_size=40)), min_size=1, max_size=30)


Seen = tuple[list[bytes], list[bytes], dict[bytes, bytes]]


def _run(batches: list[list[tuple[bytes, bytes]]]) -> Seen:
    """Apply each batch (empty value: delete) to one pruning trie, as py-evm's state does;
    the root and the values read back after each batch, and the stored nodes."""
    db = MemoryDB()
    state = HexaryTrie(db, prune=True)
    roots: list[bytes] = []
    reads: list[bytes] = []
    for batch in batches:
        with state.squash_changes() as squashed:
            for key, value in batch:
                if value:
                    squashed[key] = value
                elif key in squashed:
                    del squashed[key]
        roots.append(state.root_hash)
        reads.extend(state.get(key) for key, _ in batch * 2)
    return roots, reads, dict(db.kv_store)


@settings(max_examples=60, deadline=None)
@given(st.lists(BATCH, min_size=1, max_size=6))
def test_roots_and_nodes_match_uncached_py_trie(batches: list[list[tuple[bytes, bytes]]]) -> None:
    cached = _run(batches)  # py-trie edits the nodes it reads; the cache hands out copies
    with pytest.MonkeyPatch.context() as patch:
        for owner, name, original in trie_cache.ORIGINALS:
            patch.setattr(owner, name, original)
        assert _run(batches) == cached


ORIGINAL = {name: original for _, name, original in trie_cache.ORIGINALS}
NIBBLES = st.lists(st.integers(0, 15), max_size=70)


@given(st.binary(max_size=64), NIBBLES, st.booleans())
def test_nibble_helpers_match_py_trie(value: bytes, path: list[int], leaf: bool) -> None:
    assert trie_cache.bytes_to_nibbles(value) == ORIGINAL["bytes_to_nibbles"](value)
    nibbles = (*path, 16) if leaf else tuple(path)
    for name in ("add_nibbles_terminator", "remove_nibbles_terminator", "encode_nibbles"):
        assert trie_cache.HELPERS[name](nibbles) == ORIGINAL[name](nibbles), name
    encoded = ORIGINAL["encode_nibbles"](nibbles)
    assert trie_cache.decode_nibbles(encoded) == ORIGINAL["decode_nibbles"](encoded)
