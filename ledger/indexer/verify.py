"""Prove the mirror equals the chain: rebuild from events into a scratch database and diff,
then check balances against the contracts' views at the same block."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlmodel import SQLModel

from ledger.chain.deployment import Deployment
from ledger.chain.rpc import Rpc
from ledger.chain.views import call_view, ledger_head_at
from ledger.errors import AidLedgerError
from ledger.indexer import journal_values
from ledger.indexer.accounting import account
from ledger.indexer.apply import read_state
from ledger.indexer.difference import Difference
from ledger.indexer.sync import SyncOptions, sync
from ledger.store.db import make_engine, upgrade

# Tables that are the indexer's own bookkeeping rather than mirrored facts.
_SKIP = {"journal", "alembic_version", "verifications"}


__all__ = ["Difference", "NotIndexedError", "diff_mirrors", "record", "verify"]


class NotIndexedError(AidLedgerError):
    """The mirror has no checkpoint: there is nothing to compare yet."""


def _rows(engine: Engine, table_name: str) -> dict[str, dict[str, Any]]:
    table = SQLModel.metadata.tables[table_name]
    pk = [c.name for c in table.primary_key.columns]
    with engine.connect() as conn:
        rows = conn.execute(select(table)).mappings().all()
    return {json.dumps([r[c] for c in pk]): dict(r) for r in rows}


def _comparable(
    name: str, rows: dict[str, dict[str, Any]], keep: set[int]
) -> dict[str, dict[str, Any]]:
    """Drop what legitimately differs between two runs: batch-boundary blocks, journal depth."""
    if name == "blocks":
        return {k: r for k, r in rows.items() if r["number"] in keep}
    if name == "indexer_state":
        return {
            k: {c: v for c, v in r.items() if c != "unjournaled_through"} for k, r in rows.items()
        }
    return rows


def diff_mirrors(mirror: Engine, reference: Engine) -> list[Difference]:
    """Every row that is missing, extra or different in `mirror` compared with `reference`."""
    out: list[Difference] = []
    with reference.connect() as conn:
        state = read_state(conn)
        numbers = conn.execute(
            select(SQLModel.metadata.tables["raw_events"].c.block_number)
        ).scalars()
        keep = set(numbers) | ({int(state["last_block"])} if state else set())
    for name in sorted(SQLModel.metadata.tables):
        if name in _SKIP:
            continue
        ours = _comparable(name, _rows(mirror, name), keep)
        theirs = _comparable(name, _rows(reference, name), keep)
        for key in sorted(ours.keys() | theirs.keys()):
            a, b = ours.get(key), theirs.get(key)
            if a is None or b is None:
                out.append(Difference(name, key, a, b))
                continue
            for column in a:
                if a[column] != b[column]:
                    out.append(Difference(name, f"{key}.{column}", a[column], b[column]))
    return out


def _views(mirror: Engine, rpc: Rpc, deployment: Deployment, block: int) -> Iterator[Difference]:
    with mirror.connect() as conn:
        state = read_state(conn)
        pools = conn.execute(select(SQLModel.metadata.tables["pools"])).mappings().all()
        lots = conn.execute(select(SQLModel.metadata.tables["lots"])).mappings().all()
    assert state is not None
    seq, head = ledger_head_at(rpc, deployment.registry, block)
    if (seq, "0x" + head.hex()) != (state["seq"], state["head"]):
        yield Difference(
            "contract:ledgerHead",
            str(block),
            (state["seq"], state["head"]),
            (seq, "0x" + head.hex()),
        )
    checks = (
        ("pool", pools, "pool_id", deployment.fund_ledger, "pool(bytes32)", ["uint128", "uint128"]),
        (
            "lot",
            lots,
            "lot_id",
            deployment.supply_ledger,
            "lot(bytes32)",
            ["bytes32", "bytes32", "uint128"],
        ),
    )
    for kind, rows, id_column, address, signature, out in checks:
        for row in rows:
            key = bytes.fromhex(row[id_column][2:])
            got = call_view(rpc, address, signature, ["bytes32"], [key], out, block)
            ours = (row["received"], row["allocated"]) if kind == "pool" else row["on_hand"]
            theirs = tuple(got) if kind == "pool" else got[2]
            if ours != theirs:
                yield Difference(f"contract:{kind}", row[id_column], ours, theirs)


def verify(
    mirror: Engine, rpc: Rpc, deployment: Deployment, scratch_dir: Path | None = None
) -> list[Difference]:
    """Compare the mirror up to its checkpoint with the chain, three ways: rebuild it in a
    scratch SQLite database and diff every table; account for every event and total with
    `accounting.account`, which shares no code with the indexer's handlers; and compare
    balances with the contracts' views at the checkpoint block."""
    with mirror.connect() as conn:
        state = read_state(conn)
    if state is None:
        raise NotIndexedError(
            f"the mirror at {mirror.url.render_as_string()} has never been indexed: "
            "run `aidledger index` first, then verify"
        )
    block = int(state["last_block"])
    with mirror.begin() as conn:  # events indexed before migration 0005 get their columns
        journal_values.backfill(conn)
    with tempfile.TemporaryDirectory(dir=scratch_dir, prefix="aidledger-verify-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'reference.sqlite3'}"
        upgrade(url)
        reference = make_engine(url)
        sync(reference, rpc, deployment, SyncOptions(until_block=block))
        differences = diff_mirrors(mirror, reference)
        reference.dispose()
    differences.extend(account(mirror, rpc, deployment, block))
    differences.extend(_views(mirror, rpc, deployment, block))
    return differences


def record(
    mirror: Engine, differences: list[Difference], clock: Callable[[], float] = time.time
) -> None:
    """Store the run's result in the mirror, so the portal can show the last verification."""
    with mirror.begin() as conn:
        state = read_state(conn)
        conn.execute(
            insert(SQLModel.metadata.tables["verifications"]).values(
                checked_block=state["last_block"] if state else 0,
                checked_seq=state["seq"] if state else 0,
                differences=len(differences),
                report=json.dumps([str(d) for d in differences[:1000]]),
                finished_at=int(clock()),
            )
        )
