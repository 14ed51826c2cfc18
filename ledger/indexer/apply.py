"""Apply one fetched batch to the mirror in one SQL transaction: rows, balances, checkpoint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, delete, insert, select, update
from sqlmodel import SQLModel

from ledger.errors import AidLedgerError
from ledger.indexer import journal_values
from ledger.indexer.bulk import insert_tuples
from ledger.indexer.handlers import HANDLERS, Context
from ledger.indexer.prefetch import prefetch
from ledger.indexer.prepare import Entry, Prepared
from ledger.indexer.rows import Unit

T = SQLModel.metadata.tables


class CheckpointMovedError(AidLedgerError):
    """The checkpoint block is no longer canonical: a reorg happened below the batch."""


class EventNotAppliedError(AidLedgerError):
    """An event on chain that the indexer cannot apply: a bug of the indexer, since every
    event the contracts emit must index. The batch is rolled back, so the mirror stays at its
    last checkpoint, and indexing again stops at the same event until the indexer is fixed."""


@dataclass(frozen=True)
class Applied:
    """What a batch did."""

    first: int
    last: int
    events: int
    seq: int


def read_state(conn: Connection) -> dict[str, Any] | None:
    """The checkpoint row, locked for update where the database supports it."""
    stmt = select(T["indexer_state"]).where(T["indexer_state"].c.id == 1)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def apply_batch(conn: Connection, batch: Prepared, finality_from: int) -> Applied:
    """Apply a prepared batch; the caller commits. Refuses a batch that does not continue the
    checkpoint (its first block, the checkpoint's hash, and the hash chain must all follow on).

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
    if (batch.start_seq, "0x" + batch.start_head.hex()) != (state["seq"], state["head"]):
        raise CheckpointMovedError(
            f"batch continues seq {batch.start_seq}, the mirror is at {state['seq']}"
        )
    unit = Unit(conn, journal_from_block=finality_from)
    args = [orjson.loads(entry.args_json) for entry in batch.entries]
    prefetch(unit, batch.entries, args)
    positions = {}
    for entry, a in zip(batch.entries, args, strict=True):
        unit.block = entry.block_number
        try:
            HANDLERS[entry.name](Context(unit, entry, a))
        except Exception as exc:
            raise EventNotAppliedError(_not_applied(state, entry, a, exc)) from exc
        positions[entry.block_number] = (a["seq"], a["head"])
    journal_values.preload(unit, args)
    journal = [
        journal_values.values(unit, e.name, a) for e, a in zip(batch.entries, args, strict=True)
    ]
    try:
        unit.flush()
    except Exception as exc:
        seqs = f"seq {batch.start_seq + 1}..{batch.seq}"
        where = f"the rows of blocks {batch.first}..{batch.last} ({seqs})"
        raise EventNotAppliedError(_not_applied(state, where, {}, exc)) from exc
    _insert_raw_events(conn, batch, args, journal)
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
    return Applied(batch.first, batch.last, len(batch.entries), seq)


def _not_applied(
    state: dict[str, Any], what: Entry | str, a: dict[str, Any], exc: Exception
) -> str:
    """One line: which event, what went wrong, where the mirror stays, and what to do."""
    if isinstance(what, Entry):
        contracts = {
            str(state["registry_address"]).lower(): "AidRegistry",
            str(state["fund_address"]).lower(): "FundLedger",
            str(state["supply_address"]).lower(): "SupplyLedger",
        }
        contract = contracts.get(what.emitter.lower(), what.emitter)
        what_text = (
            f"{contract}:{what.name} seq {a.get('seq')} (block {what.block_number}, "
            f"tx {what.tx_hash}, log {what.log_index})"
        )
    else:
        what_text = what
    reason = (str(exc).strip().splitlines() or [""])[0]
    return (
        f"the indexer cannot apply {what_text}: {type(exc).__name__}: {reason}. The mirror is "
        f"unchanged at block {state['last_block']} (seq {state['seq']}). This is an indexer "
        "bug: report it with this message; indexing again stops at the same event until the "
        "indexer is fixed"
    )


_RAW_COLUMNS = (
    "chain_id",
    "tx_hash",
    "log_index",
    "block_number",
    "seq",
    "head",
    "emitter",
    "name",
    "args",
    *journal_values.COLUMNS,
)


def _insert_raw_events(
    conn: Connection,
    batch: Prepared,
    args: list[dict[str, Any]],
    journal: list[journal_values.Values],
) -> None:
    chain_id = batch.chain_id
    rows = [
        (
            chain_id,
            e.tx_hash,
            e.log_index,
            e.block_number,
            a["seq"],
            a["head"],
            e.emitter,
            e.name,
            e.args_json,
            *j,
        )
        for e, a, j in zip(batch.entries, args, journal, strict=True)
    ]
    insert_tuples(conn, T["raw_events"], _RAW_COLUMNS, rows)
