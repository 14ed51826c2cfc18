"""Decode our events with eth-abi in bulk and recompute the hash-chained ledger head."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache, partial
from typing import Any

from eth_abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils import event_abi_to_log_topic, keccak

from ledger.chain.artifacts import CONTRACT_NAMES, load_artifact
from ledger.chain.codec import (
    ZERO12,
    MalformedWordError,
    checksum_address,
    encode_string_tail,
    keccak256,
    read_string,
    word_decoder,
)
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
    payload: bytes  # the payload hash, computed from the log's own words (see `payload_hash`)

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
    if type(value) is str:
        return bytes.fromhex(value[2:] if value[:2] == "0x" else value)
    return bytes(value)


def _as_int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


@dataclass(frozen=True)
class _Field:
    name: str
    type: str
    indexed: bool
    slot: int
    decode: Callable[[bytes], Any] | None
    hashed: bool  # part of the payload hash (every field but seq and head)


@cache
def _layout(topic0: bytes) -> tuple[EventSpec, tuple[_Field, ...], int]:
    """The event's spec, its fields, and the size of its payload's head (topic0 and a word per
    hashed field)."""
    spec = event_specs()[topic0]
    fields, topic, head = [], 1, 0
    for name, type_, indexed in zip(spec.names, spec.types, spec.indexed, strict=True):
        slot = topic if indexed else head
        hashed = name not in SEQ_FIELDS
        fields.append(_Field(name, type_, indexed, slot, word_decoder(type_), hashed))
        topic, head = (topic + 1, head) if indexed else (topic, head + 1)
    return spec, tuple(fields), 32 * (1 + sum(f.hashed for f in fields))


def _decode_fields(
    topics: list[bytes], data: bytes, fields: tuple[_Field, ...], head_size: int
) -> tuple[dict[str, Any], bytes | None]:
    """The arguments, and the payload hash from the log's own words (None when a field needed
    eth-abi: then it is recomputed from the arguments). The words are the canonical encoding,
    since every one was checked while decoding."""
    args: dict[str, Any] = {}
    head, tail, exact = [topics[0]], [], True
    tail_size = 0
    for f in fields:
        word = topics[f.slot] if f.indexed else data[32 * f.slot : 32 * f.slot + 32]
        if len(word) != 32:
            raise MalformedWordError("data shorter than the event's fields")
        if f.decode is not None:
            args[f.name] = f.decode(word)
        elif f.type == "string" and not f.indexed:
            args[f.name], encoded = read_string(data, word)
            if f.hashed:
                word = (head_size + tail_size).to_bytes(32, "big")
                tail.append(encoded)
                tail_size += len(encoded)
        else:  # a type the fast codec does not know: let eth-abi do it
            args[f.name] = decode([f.type], word if f.indexed else data)[0]
            exact = False
        if f.hashed:
            head.append(word)
    return args, keccak256(b"".join(head + tail)) if exact else None


def decode_log(log: Mapping[str, Any]) -> DecodedEvent | None:
    """Decode one `eth_getLogs` entry; None for logs that are not sequenced AidLedger events."""
    topics = [_as_bytes(t) for t in log["topics"]]
    if not topics or topics[0] not in event_specs():
        return None
    spec, fields, head_size = _layout(topics[0])
    try:
        if len(topics) != 1 + sum(spec.indexed):
            raise MalformedWordError("wrong number of topics")
        args, payload = _decode_fields(topics, _as_bytes(log["data"]), fields, head_size)
    except (MalformedWordError, UnicodeDecodeError, DecodingError) as exc:
        raise LedgerChainBrokenError(
            f"{spec.name} log {log.get('logIndex')} in block {log.get('blockNumber')} does not "
            f"decode ({exc}): the record was altered or the ABI is wrong"
        ) from None
    event = DecodedEvent(
        name=spec.name,
        args=args,
        emitter=checksum_address(_as_bytes(log["address"])),
        block_number=_as_int(log["blockNumber"]),
        block_hash=_as_bytes(log["blockHash"]),
        tx_hash=_as_bytes(log["transactionHash"]),
        log_index=_as_int(log["logIndex"]),
        payload=payload or b"",
    )
    return event if payload is not None else replace(event, payload=payload_hash(event))


def _word(type_: str, value: Any) -> bytes:
    if type_ == "address":
        return ZERO12 + bytes.fromhex(value[2:])
    if type_ == "bool":
        return (1 if value else 0).to_bytes(32, "big")
    if type_.startswith("uint"):
        return int(value).to_bytes(32, "big")
    if type_.startswith("int"):
        return int(value).to_bytes(32, "big", signed=True)
    return bytes(value).ljust(32, b"\x00")


def payload_hash(event: DecodedEvent) -> bytes:
    """keccak256(abi.encode(topic0, fields except seq and head)), as the contracts compute it,
    from the decoded arguments (`decode_log` hashes the log's words directly; the codec tests
    check the two agree, and agree with eth-abi)."""
    spec = _spec_by_name(event.name)
    fields = [(n, t) for n, t in zip(spec.names, spec.types, strict=True) if n not in SEQ_FIELDS]
    head_size = 32 * (1 + len(fields))
    head, tail = [spec.topic0], b""
    for name, type_ in fields:
        value = event.args[name]
        if type_ == "string":
            head.append((head_size + len(tail)).to_bytes(32, "big"))
            tail += encode_string_tail(value.encode("utf-8"))
        else:
            head.append(_word(type_, value))
    return keccak256(b"".join(head) + tail)


@cache
def _spec_by_name(name: str) -> EventSpec:
    return next(s for s in event_specs().values() if s.name == name)


def payload_hash_reference(event: DecodedEvent) -> bytes:
    """The same hash computed with eth-abi: the reference the fast path is tested against."""
    spec = _spec_by_name(event.name)
    values = [spec.topic0, *(event.args[n] for n in spec.names if n not in SEQ_FIELDS)]
    return keccak(encode(spec.payload_types, values))


def next_head(previous: bytes, seq: int, emitter: str, payload: bytes) -> bytes:
    """head = keccak256(abi.encode(previousHead, seq, emitter, payloadHash))."""
    return keccak256(
        previous + seq.to_bytes(32, "big") + ZERO12 + bytes.fromhex(emitter[2:]) + payload
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
        expected = next_head(head, event.seq, event.emitter, event.payload)
        if expected != event.head:
            raise LedgerChainBrokenError(
                f"event {event.name} seq {event.seq} carries head 0x{event.head.hex()}, "
                f"but the events before it give 0x{expected.hex()}: the record was altered"
            )
        seq, head = event.seq, event.head
        yield event


def sql_value(type_name: str, value: Any) -> Any:
    """An event value as stored: hex for bytes, text for currency and region codes."""
    if type_name == "bytes3":
        return bytes(value).decode("ascii", "replace")
    if type_name == "bytes8":
        return bytes(value).rstrip(b"\x00").decode("ascii", "replace")
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


@cache
def _converters(name: str) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    spec = next(s for s in event_specs().values() if s.name == name)
    out: list[tuple[str, Callable[[Any], Any] | None]] = []
    for field, type_ in zip(spec.names, spec.types, strict=True):
        if type_ in ("bytes3", "bytes8"):
            out.append((field, partial(sql_value, type_)))
        elif type_.startswith("bytes"):
            out.append((field, _hex))
        else:
            out.append((field, None))
    return tuple(out)


def sql_args(event: DecodedEvent) -> dict[str, Any]:
    """The event's arguments as SQL values (hex for bytes, text for currency and region)."""
    args = event.args
    return {n: (f(args[n]) if f is not None else args[n]) for n, f in _converters(event.name)}
