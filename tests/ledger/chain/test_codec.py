"""The fast codec agrees with eth-abi on every event kind, and refuses what eth-abi refuses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_abi import decode
from hypothesis import given
from hypothesis import strategies as st

from ledger.chain.codec import MalformedWordError, word_decoder
from ledger.chain.events import (
    LedgerChainBrokenError,
    decode_log,
    event_specs,
    payload_hash,
    payload_hash_reference,
)
from ledger.chain.types import OrgKind
from tests.chain_backends import eth_tester_web3
from tests.contracts.world import build_world
from tests.ledger.indexer.scenario import populate


@pytest.fixture(scope="module")
def logs() -> Iterator[list[dict[str, Any]]]:
    with eth_tester_web3() as w3:
        world = build_world(w3, "eth_tester")
        populate(world)
        world.ledger.register_organisation(
            world.admin, b"\x07" * 32, OrgKind.OTHER, "名字 with ünïcode"
        )
        yield [dict(log) for log in w3.eth.get_logs({"fromBlock": 0, "toBlock": "latest"})]


def test_every_event_kind_decodes_like_eth_abi(logs: list[dict[str, Any]]) -> None:
    kinds = set()
    for log in logs:
        event = decode_log(log)
        if event is None:
            continue
        kinds.add(event.name)
        spec = event_specs()[bytes(log["topics"][0])]
        data_types = [t for t, ix in zip(spec.types, spec.indexed, strict=True) if not ix]
        reference = iter(decode(data_types, bytes(log["data"])))
        for name, type_, indexed in zip(spec.names, spec.types, spec.indexed, strict=True):
            if not indexed:
                expected = next(reference)
                assert event.args[name] == (expected if type_ != "address" else event.args[name])
                if type_ == "address":
                    assert event.args[name].lower() == expected.lower()
        assert event.payload == payload_hash(event) == payload_hash_reference(event)
    assert len(kinds) >= 20, sorted(kinds)


@given(st.integers(0, 2**256 - 1))
def test_uint_words_match_eth_abi(value: int) -> None:
    word = value.to_bytes(32, "big")
    for bits in (8, 32, 64, 128, 256):
        decoder = word_decoder(f"uint{bits}")
        assert decoder is not None
        try:
            expected = decode([f"uint{bits}"], word)[0]
        except Exception:
            with pytest.raises(MalformedWordError):
                decoder(word)
        else:
            assert decoder(word) == expected


@given(st.binary(min_size=32, max_size=32))
def test_int128_bool_bytes3_address_match_eth_abi(word: bytes) -> None:
    for type_ in ("int128", "bool", "bytes3", "bytes8", "address"):
        decoder = word_decoder(type_)
        assert decoder is not None
        try:
            expected = decode([type_], word)[0]
        except Exception:
            with pytest.raises(MalformedWordError):
                decoder(word)
        else:
            got = decoder(word)
            assert (got.lower() if type_ == "address" else got) == expected


def test_truncated_data_is_refused(logs: list[dict[str, Any]]) -> None:
    log = next(dict(raw) for raw in logs if decode_log(raw) is not None)
    log["data"] = bytes(log["data"])[:40]
    with pytest.raises(LedgerChainBrokenError, match="does not decode"):
        decode_log(log)
