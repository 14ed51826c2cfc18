"""Find the common ancestor after a reorg and roll the mirror back to it from the journal."""

from __future__ import annotations

import json

from sqlalchemy import Connection, and_, delete, insert, select, update
from sqlmodel import SQLModel

from ledger.chain.rpc import Rpc
from ledger.errors import AidLedgerError
from ledger.indexer.apply import read_state

T = SQLModel.metadata.tables


class ReorgTooDeepError(AidLedgerError):
    """The chain changed below the finality depth; the mirror is left untouched."""


def find_ancestor(conn: Connection, rpc: Rpc) -> int:
    """The newest stored block still on the canonical chain, if a rollback can reach it."""
    state = read_state(conn)
    assert state is not None
    floor = state["unjournaled_through"]
    stmt = select(T["blocks"].c.number, T["blocks"].c.hash).where(T["blocks"].c.number >= floor)
    for number, stored_hash in conn.execute(stmt.order_by(T["blocks"].c.number.desc())):
        canonical = rpc.call("eth_getBlockByNumber", [hex(number), False])
        if canonical is not None and canonical["hash"] == stored_hash:
            return int(number)
    raise ReorgTooDeepError(
        f"the chain reorganised below block {floor}, deeper than the finality depth; "
        "the mirror is unchanged. Check the node, then rebuild with a fresh database "
        "(or raise --finality) if the reorg is genuine"
    )


def rollback(conn: Connection, ancestor: int) -> int:
    """Undo every change of blocks after `ancestor`; return the number of journal entries undone."""
    journal = T["journal"]
    entries = conn.execute(
        select(journal).where(journal.c.block_number > ancestor).order_by(journal.c.id.desc())
    ).mappings()
    undone = 0
    for entry in entries:
        table = T[entry["table_name"]]
        pk_cols = [c for c in table.primary_key.columns]
        key = json.loads(entry["pk"])
        where = and_(*(c == v for c, v in zip(pk_cols, key, strict=True)))
        conn.execute(delete(table).where(where))
        if entry["before"] is not None:
            conn.execute(insert(table).values(**json.loads(entry["before"])))
        undone += 1
    conn.execute(delete(journal).where(journal.c.block_number > ancestor))
    conn.execute(delete(T["raw_events"]).where(T["raw_events"].c.block_number > ancestor))
    conn.execute(delete(T["blocks"]).where(T["blocks"].c.number > ancestor))
    block = (
        conn.execute(select(T["blocks"]).where(T["blocks"].c.number == ancestor)).mappings().one()
    )
    conn.execute(
        update(T["indexer_state"])
        .where(T["indexer_state"].c.id == 1)
        .values(
            last_block=ancestor, last_block_hash=block["hash"], seq=block["seq"], head=block["head"]
        )
    )
    return undone
