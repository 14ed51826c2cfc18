"""The sequenced events a report is made from, read from the mirror's `raw_events` or straight
from the chain. Both give the same `ReportEvent`s (arguments as `raw_events.args` stores them,
`ledger.chain.events.sql_args`), so a report and its verification run the same figures over
independently fetched data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection

from ledger.chain.deployment import Deployment
from ledger.chain.events import decode_log, sql_args, verify_sequence
from ledger.chain.logs import get_logs
from ledger.chain.rpc import RangeRefusedError, Rpc

_FETCH = 2_000  # rows per fetch from the mirror


class ReportEvent(NamedTuple):
    """One sequenced event with its block time (unix seconds, UTC)."""

    seq: int
    block: int
    time: int
    tx_hash: str
    log_index: int
    emitter: str
    name: str
    args: dict[str, Any]
    args_json: str  # the arguments as `raw_events.args` stores them (orjson of `sql_args`)


_MIRROR_SQL = (
    "SELECT r.seq, r.block_number, b.timestamp, r.tx_hash, r.log_index, r.emitter, r.name, r.args"
    " FROM raw_events r JOIN blocks b ON b.number = r.block_number"
    " WHERE r.seq <= {last} ORDER BY r.seq"
)


def mirror_events(conn: Connection, last_seq: int) -> Iterator[ReportEvent]:
    """Every event of the mirror up to `last_seq`, in sequence order, streamed (a server-side
    cursor on PostgreSQL; the driver's own cursor, without SQLAlchemy's row objects)."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    named = conn.dialect.name == "postgresql"
    cursor = raw.cursor(name="aidledger_report") if named else raw.cursor()
    try:
        cursor.execute(_MIRROR_SQL.format(last=int(last_seq)))
        loads = orjson.loads
        while rows := cursor.fetchmany(_FETCH):
            for seq, block, ts, tx, index, emitter, name, args in rows:
                yield ReportEvent(
                    seq, block, ts, tx, index, emitter.lower(), name, loads(args), args
                )
    finally:
        cursor.close()


def _block_times(rpc: Rpc, numbers: list[int]) -> dict[int, tuple[int, str]]:
    """Timestamp and hash of each block, asked in batches."""
    out: dict[int, tuple[int, str]] = {}
    for i in range(0, len(numbers), 200):
        chunk = numbers[i : i + 200]
        answers = rpc.batch([("eth_getBlockByNumber", [hex(n), False]) for n in chunk])
        for n, block in zip(chunk, answers, strict=True):
            if block is None:
                raise RangeRefusedError(f"the node has no block {n}")
            out[n] = (int(block["timestamp"], 16), str(block["hash"]).lower())
    return out


def chain_events(
    rpc: Rpc, deployment: Deployment, last_block: int
) -> tuple[list[ReportEvent], dict[int, tuple[int, str]]]:
    """Every sequenced event on chain from the deployment to `last_block`, hash chain checked,
    with the (timestamp, hash) of each block that carried one."""
    addresses = list(deployment.contracts().values())
    logs = get_logs(rpc, addresses, deployment.deployment_block, last_block)
    decoded = [e for e in map(decode_log, logs) if e is not None]
    decoded.sort(key=lambda e: (e.block_number, e.log_index))
    events = list(verify_sequence(decoded))
    blocks = _block_times(rpc, sorted({e.block_number for e in events}))
    out = []
    for e in events:
        text = orjson.dumps(sql_args(e)).decode()
        out.append(
            ReportEvent(
                e.seq,
                e.block_number,
                blocks[e.block_number][0],
                "0x" + e.tx_hash.hex(),
                e.log_index,
                e.emitter.lower(),
                e.name,
                orjson.loads(text),
                text,
            )
        )
    return out, blocks
