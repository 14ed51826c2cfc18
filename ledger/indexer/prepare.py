"""Turn a fetched batch into what `apply_batch` writes: decoded, chain-verified events with
their SQL values and raw-event rows. Pure and picklable, so it can run in another process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import orjson

from ledger.chain.events import decode_log, sql_args, verify_sequence
from ledger.indexer.fetch import Batch, Header


class Entry(NamedTuple):
    """One verified event as the writer needs it; its arguments travel as their JSON text
    (what `raw_events` stores), which crosses a process boundary far cheaper than objects."""

    name: str
    block_number: int
    log_index: int
    tx_hash: str
    emitter: str
    args_json: str


@dataclass(frozen=True)
class Prepared:
    """A batch ready to apply: verified from (start_seq, start_head) to (seq, head)."""

    chain_id: int
    first: int
    last: int
    headers: dict[int, Header]
    entries: list[Entry]
    start_seq: int
    start_head: bytes
    seq: int
    head: bytes


def prepare(batch: Batch, chain_id: int, seq: int, head: bytes) -> Prepared:
    """Decode and verify `batch`, continuing the hash chain from (`seq`, `head`)."""
    decoded = [e for e in (decode_log(log) for log in batch.logs) if e is not None]
    decoded.sort(key=lambda e: (e.block_number, e.log_index))
    events = list(verify_sequence(decoded, seq, head))
    entries = [
        Entry(
            e.name,
            e.block_number,
            e.log_index,
            "0x" + e.tx_hash.hex(),
            e.emitter,
            orjson.dumps(sql_args(e)).decode(),
        )
        for e in events
    ]
    end_seq, end_head = (events[-1].seq, events[-1].head) if events else (seq, head)
    return Prepared(
        chain_id, batch.first, batch.last, batch.headers, entries, seq, head, end_seq, end_head
    )
