"""Decode our events with eth-abi in bulk and recompute the hash-chained ledger head."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from eth_abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils import event_abi_to_log_topic, keccak, to_checksum_address

from ledger.chain.artifacts import CONTRACT_NAMES, load_artifact
from ledger.chain.reverts import _type_string
from ledger.errors import AidLedgerError

SEQ_FIELDS = ("seq", "head")


@dataclass(frozen=True)
class EventSpec:
    """How to decode one event and which of its fields make up the payload hash."""

    name: str
    topic0: bytes
    names: tuple[str, ...]
    types: tuple[str, ...]
    indexed: tuple[bool, ...]

    @property
    def payload_types(self) -> list[str]:
        """Types hashed into the payload: topic0 then every field except seq and head."""
        return [
            "bytes32",
            *(t for n, t in zip(self.names, self.types, strict=True) if n not in SEQ_FIELDS),
        ]


@dataclass(frozen=True)
class DecodedEvent:
    """One decoded log with its position on chain."""

    name: str
    args: Mapping[str, Any]
    emitter: str
    block_number: int
    block_hash: bytes
    tx_hash: bytes
    log_index: int

    @property
    def seq(self) -> int:
        """The event's global sequence number."""
        return int(self.args["seq"])

    @property
    def head(self) -> bytes:
        """The ledger head after this event."""
        return bytes(self.args["head"])


class LedgerChainBrokenError(AidLedgerError):
    """The event sequence has a gap, or a head does not follow from the previous one."""


@cache
def event_specs() -> dict[bytes, EventSpec]:
    """topic0 -> spec, for every sequenced event of the three contracts."""
    specs: dict[bytes, EventSpec] = {}
    for contract in CONTRACT_NAMES:
        for entry in load_artifact(contract).abi:
            if entry["type"] != "event" or entry["inputs"][-1]["name"] != "head":
                continue
            inputs = entry["inputs"]
            topic0 = bytes(event_abi_to_log_topic(entry))  # type: ignore[arg-type]
            specs[topic0] = EventSpec(
                name=entry["name"],
                topic0=topic0,
                names=tuple(i["name"] for i in inputs),
                types=tuple(_type_string(i) for i in inputs),
                indexed=tuple(bool(i["indexed"]) for i in inputs),
            )
    return specs


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    return bytes.fromhex(str(value)[2:] if str(value).startswith("0x") else str(value))


def decode_log(log: Mapping[str, Any]) -> DecodedEvent | None:
    """Decode one `eth_getLogs` entry; None for logs that are not sequenced AidLedger events."""
    topics = [_as_bytes(t) for t in log["topics"]]
    spec = event_specs().get(topics[0]) if topics else None
    if spec is None:
        return None
    data_types = [t for t, ix in zip(spec.types, spec.indexed, strict=True) if not ix]
    try:
        data_values = iter(decode(data_types, _as_bytes(log["data"])))
    except DecodingError as exc:
        raise LedgerChainBrokenError(
            f"{spec.name} log {log.get('logIndex')} in block {log.get('blockNumber')} does not "
            f"decode ({exc.__class__.__name__}): the record was altered or the ABI is wrong"
        ) from None
    topic_values = iter(topics[1:])
    args: dict[str, Any] = {}
    for name, type_, ix in zip(spec.names, spec.types, spec.indexed, strict=True):
        value = decode([type_], next(topic_values))[0] if ix else next(data_values)
        args[name] = to_checksum_address(value) if type_ == "address" else value
    return DecodedEvent(
        name=spec.name,
        args=args,
        emitter=to_checksum_address(log["address"]),
        block_number=int(log["blockNumber"], 16)
        if isinstance(log["blockNumber"], str)
        else int(log["blockNumber"]),
        block_hash=_as_bytes(log["blockHash"]),
        tx_hash=_as_bytes(log["transactionHash"]),
        log_index=int(log["logIndex"], 16)
        if isinstance(log["logIndex"], str)
        else int(log["logIndex"]),
    )


def payload_hash(event: DecodedEvent) -> bytes:
    """keccak256(abi.encode(topic0, fields except seq and head)), as the contracts compute it."""
    spec = next(s for s in event_specs().values() if s.name == event.name)
    values = [spec.topic0, *(event.args[n] for n in spec.names if n not in SEQ_FIELDS)]
    return keccak(encode(spec.payload_types, values))


def next_head(previous: bytes, seq: int, emitter: str, payload: bytes) -> bytes:
    """head = keccak256(abi.encode(previousHead, seq, emitter, payloadHash))."""
    return keccak(
        encode(["bytes32", "uint64", "address", "bytes32"], [previous, seq, emitter, payload])
    )


def verify_sequence(
    events: Iterable[DecodedEvent], previous_seq: int = 0, previous_head: bytes = b"\x00" * 32
) -> Iterator[DecodedEvent]:
    """Yield events while checking the sequence is gapless and every head recomputes."""
    seq, head = previous_seq, previous_head
    for event in events:
        if event.seq != seq + 1:
            raise LedgerChainBrokenError(
                f"event {event.name} in block {event.block_number} has seq {event.seq}, "
                f"expected {seq + 1}: "
                "an event is missing or repeated; re-fetch the block range from the node"
            )
        expected = next_head(head, event.seq, event.emitter, payload_hash(event))
        if expected != event.head:
            raise LedgerChainBrokenError(
                f"event {event.name} seq {event.seq} carries head 0x{event.head.hex()}, "
                f"but the events before it give 0x{expected.hex()}: the record was altered"
            )
        seq, head = event.seq, event.head
        yield event
