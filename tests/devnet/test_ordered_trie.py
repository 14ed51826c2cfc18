"""The fast index-keyed trie builder agrees with py-evm's HexaryTrie on every input."""

from __future__ import annotations

from eth.db.trie import _make_trie_root_and_nodes
from hypothesis import given
from hypothesis import strategies as st

from devnet.ordered_trie import ordered_trie_root, rlp_encode


@given(st.lists(st.binary(min_size=1, max_size=120), max_size=300))
def test_root_and_nodes_match_py_evm(values: list[bytes]) -> None:
    root, nodes = ordered_trie_root(values)
    expected_root, expected_nodes = _make_trie_root_and_nodes(tuple(values))
    assert root == expected_root
    assert nodes == expected_nodes


@given(st.recursive(st.binary(max_size=80), lambda inner: st.lists(inner, max_size=5)))
def test_rlp_encoding_matches_pyrlp(value: bytes | list[object]) -> None:
    import rlp  # type: ignore[import-untyped]  # noqa: PLC0415

    assert rlp_encode(value) == rlp.encode(value)
