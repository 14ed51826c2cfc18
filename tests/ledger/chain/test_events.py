"""The hash-chained sequence detects a missing, reordered or altered event."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from web3 import Web3

from ledger.chain.events import (
    DecodedEvent,
    LedgerChainBrokenError,
    decode_log,
    event_specs,
    verify_sequence,
)
from tests.chain_backends import eth_tester_web3
from tests.contracts.helpers import give
from tests.contracts.world import World, build_world


@pytest.fixture(scope="module")
def logs() -> Iterator[list[dict[str, Any]]]:
    with eth_tester_web3() as w3:
        world: World = build_world(w3, "eth_tester")
        for amount in (100, 200, 300):
            give(world, amount)
        d = world.ledger.deployment
        logs = w3.eth.get_logs({"fromBlock": 0, "toBlock": "latest", "address": d.fund_ledger})  # type: ignore[typeddict-item]
        logs += w3.eth.get_logs({"fromBlock": 0, "toBlock": "latest", "address": d.registry})  # type: ignore[typeddict-item]
        logs.sort(key=lambda log: (log["blockNumber"], log["logIndex"]))
        yield [dict(log) for log in logs]


@pytest.fixture(scope="module")
def history(logs: list[dict[str, Any]]) -> list[DecodedEvent]:
    return [e for e in (decode_log(log) for log in logs) if e is not None]


def test_full_history_verifies(history: list[DecodedEvent]) -> None:
    assert [e.seq for e in verify_sequence(history)] == list(range(1, len(history) + 1))


def test_missing_event_is_a_gap(history: list[DecodedEvent]) -> None:
    with pytest.raises(LedgerChainBrokenError, match="is missing or repeated"):
        list(verify_sequence(history[:5] + history[6:]))


def test_altered_amount_breaks_the_head(logs: list[dict[str, Any]]) -> None:
    """A node that alters a gift's amount in the log it serves is caught by the next head."""
    decoded = [decode_log(log) for log in logs]
    gift = next(i for i, e in enumerate(decoded) if e is not None and e.name == "GiftRecorded")
    data = bytearray(logs[gift]["data"])
    spec = event_specs()[bytes(logs[gift]["topics"][0])]
    data_fields = [n for n, ix in zip(spec.names, spec.indexed, strict=True) if not ix]
    slot = data_fields.index("amount")
    data[32 * slot + 31] ^= 1  # the amount word's last byte
    forged_event = decode_log({**logs[gift], "data": bytes(data)})
    assert forged_event is not None and forged_event.args["amount"] != decoded[gift].args["amount"]  # type: ignore[union-attr]
    events = [e for e in decoded[:gift] if e is not None]
    with pytest.raises(LedgerChainBrokenError, match="was altered"):
        list(verify_sequence([*events, forged_event]))


def test_unrelated_logs_are_ignored() -> None:
    log = {"topics": ["0x" + "00" * 32], "data": "0x", "address": "0x" + "11" * 20}
    assert decode_log(log) is None


def test_open_zeppelin_events_beside_the_sequenced_ones_carry_no_seq_and_are_skipped() -> None:
    """docs/indexer.md, "Reading the chain yourself": RoleGranted beside each RoleChanged and
    Paused / Unpaused beside each PauseChanged, in the same transaction; decode_log skips them."""
    oz = {
        "0x" + bytes(Web3.keccak(text=signature)).hex(): signature.split("(")[0]
        for signature in (
            "RoleGranted(bytes32,address,address)",
            "RoleRevoked(bytes32,address,address)",
            "Paused(address)",
            "Unpaused(address)",
        )
    }
    with eth_tester_web3() as w3:
        world: World = build_world(w3, "eth_tester")
        world.ledger.pause(world.admin)
        world.ledger.unpause(world.admin)
        address = world.ledger.deployment.registry
        logs = w3.eth.get_logs({"fromBlock": 0, "toBlock": "latest", "address": address})  # type: ignore[typeddict-item]
    by_tx: dict[bytes, list[str]] = {}
    for log in logs:
        event = decode_log(dict(log))
        name = event.name if event is not None else oz["0x" + bytes(log["topics"][0]).hex()]
        by_tx.setdefault(bytes(log["transactionHash"]), []).append(name)
    pairs = {"RoleGranted": "RoleChanged", "Paused": "PauseChanged", "Unpaused": "PauseChanged"}
    seen = [name for names in by_tx.values() for name in names if name in pairs]
    assert {"RoleGranted", "Paused", "Unpaused"} <= set(seen)
    for names in by_tx.values():
        for name in names:
            if name in pairs:
                assert pairs[name] in names, names  # repeats what a sequenced event says
