"""The hash-chained sequence detects a missing, reordered or altered event."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

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
