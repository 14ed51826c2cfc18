"""Turn a fetched batch into what `apply_batch` writes: decoded, chain-verified events with
their SQL values and raw-event rows. Pure and picklable, so it can run in another process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

import orjson

from ledger.chain.events import DecodedEvent, decode_log, event_specs, verify_sequence
from ledger.indexer.fetch import Batch, Header
from ledger.indexer.handlers import sql_value


@dataclass(frozen=True)
class Prepared:
    """A batch ready to apply: verified from (start_seq, start_head) to (seq, head)."""

    first: int
    last: int
    headers: dict[int, Header]
    events: list[DecodedEvent]
    args: list[dict[str, Any]]
    raw_rows: list[dict[str, Any]]
    start_seq: int
    start_head: bytes
    seq: int
    head: bytes


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


def prepare(batch: Batch, chain_id: int, seq: int, head: bytes) -> Prepared:
    """Decode and verify `batch`, continuing the hash chain from (`seq`, `head`)."""
    decoded = [e for e in (decode_log(log) for log in batch.logs) if e is not None]
    decoded.sort(key=lambda e: (e.block_number, e.log_index))
    events = list(verify_sequence(decoded, seq, head))
    args = [sql_args(e) for e in events]
    raw_rows = [
        {
            "chain_id": chain_id,
            "tx_hash": "0x" + e.tx_hash.hex(),
            "log_index": e.log_index,
            "block_number": e.block_number,
            "seq": e.seq,
            "head": a["head"],
            "emitter": e.emitter,
            "name": e.name,
            "args": orjson.dumps(a).decode(),
        }
        for e, a in zip(events, args, strict=True)
    ]
    end_seq, end_head = (events[-1].seq, events[-1].head) if events else (seq, head)
    return Prepared(
        batch.first, batch.last, batch.headers, events, args, raw_rows, seq, head, end_seq, end_head
    )
