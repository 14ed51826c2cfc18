"""Apply one fetched batch to the mirror in one SQL transaction: rows, balances, checkpoint."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlmodel import SQLModel

from ledger.chain.events import DecodedEvent, decode_log, event_specs, verify_sequence
from ledger.errors import AidLedgerError
from ledger.indexer.fetch import Batch
from ledger.indexer.handlers import HANDLERS, Context, sql_value
from ledger.indexer.rows import Unit

T = SQLModel.metadata.tables
ZERO_HEAD = "0x" + "00" * 32


class CheckpointMovedError(AidLedgerError):
    """The checkpoint block is no longer canonical: a reorg happened below the batch."""


@dataclass(frozen=True)
class Applied:
    """What a batch did."""

    first: int
    last: int
    events: int
    seq: int


@cache
def _fields(name: str) -> list[tuple[str, str]]:
    spec = next(s for s in event_specs().values() if s.name == name)
    return list(zip(spec.names, spec.types, strict=True))


def sql_args(event: DecodedEvent) -> dict[str, Any]:
    """The event's arguments as SQL values."""
    return {n: sql_value(t, event.args[n]) for n, t in _fields(event.name)}


def read_state(conn: Connection) -> dict[str, Any] | None:
    """The checkpoint row, locked for update where the database supports it."""
    stmt = select(T["indexer_state"]).where(T["indexer_state"].c.id == 1)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def apply_batch(conn: Connection, batch: Batch, chain_id: int, finality_from: int) -> Applied:
    """Decode, verify and apply `batch`; the caller commits. Refuses if the checkpoint moved.

    `finality_from` is the first block still young enough to be reorganised; changes made by
    blocks from there on are journaled so a reorg can undo them.
    """
    state = read_state(conn)
    assert state is not None, "the indexer state is initialised before the first batch"
    if batch.first != state["last_block"] + 1:
        raise CheckpointMovedError(
            f"batch starts at {batch.first}, checkpoint is {state['last_block']}"
        )
    if batch.headers[batch.first - 1].hash != state["last_block_hash"]:
        raise CheckpointMovedError(f"block {state['last_block']} is no longer canonical")
    decoded = [e for e in (decode_log(log) for log in batch.logs) if e is not None]
    decoded.sort(key=lambda e: (e.block_number, e.log_index))
    previous_head = bytes.fromhex(state["head"][2:])
    events = list(verify_sequence(decoded, state["seq"], previous_head))
    unit = Unit(conn, journal_from_block=finality_from)
    raw_rows, positions = [], {}
    for event in events:
        unit.block = event.block_number
        args = sql_args(event)
        HANDLERS[event.name](Context(unit, event, args))
        raw_rows.append(
            {
                "chain_id": chain_id,
                "tx_hash": "0x" + event.tx_hash.hex(),
                "log_index": event.log_index,
                "block_number": event.block_number,
                "seq": event.seq,
                "head": "0x" + event.head.hex(),
                "emitter": event.emitter,
                "name": event.name,
                "args": json.dumps(args, separators=(",", ":")),
            }
        )
        positions[event.block_number] = (event.seq, "0x" + event.head.hex())
    unit.flush()
    if raw_rows:
        conn.execute(insert(T["raw_events"]), raw_rows)
    seq, head = state["seq"], state["head"]
    block_rows = []
    for number in sorted(n for n in batch.headers if n >= batch.first):
        seq, head = positions.get(number, (seq, head))
        h = batch.headers[number]
        block_rows.append(
            {
                "number": number,
                "hash": h.hash,
                "parent_hash": h.parent_hash,
                "timestamp": h.timestamp,
                "seq": seq,
                "head": head,
            }
        )
    conn.execute(insert(T["blocks"]), block_rows)
    unjournaled = state["unjournaled_through"]
    if batch.last < finality_from:
        unjournaled = batch.last
    elif batch.first < finality_from:
        unjournaled = finality_from - 1
    conn.execute(
        update(T["indexer_state"])
        .where(T["indexer_state"].c.id == 1)
        .values(
            last_block=batch.last,
            last_block_hash=batch.headers[batch.last].hash,
            seq=seq,
            head=head,
            unjournaled_through=unjournaled,
        )
    )
    conn.execute(delete(T["journal"]).where(T["journal"].c.block_number < finality_from))
    return Applied(batch.first, batch.last, len(events), seq)
