"""A SQLite mirror of a synthetic history, written by the real indexer's apply path.

`bench._history.History` deals out blocks of events; here they get `seq`, a hash-chained
`head`, block headers, transaction hashes and log indexes, and go to
`ledger.indexer.apply.apply_batch` as `Prepared` batches of `Entry` tuples, exactly what the
indexer's writer receives from its fetch-and-decode worker. So every table (gifts, pools, lots,
the attribution tables, raw events, blocks, the checkpoint) is filled by our own handlers.

The heads chain `keccak256(previous head ‖ seq)`, not the contracts' payload hashes: there is
no chain to check them against, and `apply_batch` only checks that each batch continues the
checkpoint's `(seq, head)`. Built mirrors are cached under `.bench-cache/portal/` keyed by the
parameters, the generator's version and the migrations, so a re-run starts at once.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
from sqlalchemy import Connection, insert
from sqlmodel import SQLModel

import ledger.store  # noqa: F401  (registers the mirror's tables)
from bench._history import History
from bench._history_world import address
from bench._processes import ROOT
from ledger.chain.codec import keccak256
from ledger.indexer.apply import apply_batch
from ledger.indexer.fetch import Header
from ledger.indexer.prepare import Entry, Prepared
from ledger.store.db import MIGRATIONS, make_engine, upgrade

T = SQLModel.metadata.tables
CACHE = ROOT / ".bench-cache" / "portal"
GENERATOR_VERSION = 2  # bump when bench/_history.py changes what it deals out
CHAIN_ID = 1337
FIRST_BLOCK = 100
BATCH_EVENTS = 5_000  # about what one eth_getLogs range gives the indexer
ZERO_HEAD = "0x" + "00" * 32
EMITTERS = {
    "AidRegistry": address("registry"),
    "FundLedger": address("fund-ledger"),
    "SupplyLedger": address("supply-ledger"),
}


@dataclass(frozen=True)
class Built:
    """A mirror on disk and what it holds."""

    path: Path
    events: int
    gifts: int
    seconds: float  # to build it (0 when it came from the cache)
    cached: bool


def _block_hash(number: int) -> str:
    return "0x" + keccak256(b"bench block" + number.to_bytes(8, "big")).hex()


def _key(gifts: int, events: int, seed: int) -> str:
    schema = "".join(sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py")))
    digest = hashlib.sha256(f"{GENERATOR_VERSION}:{schema}".encode()).hexdigest()[:10]
    return f"mirror-g{gifts}-e{events}-s{seed}-{digest}.sqlite3"


def mirror(gifts: int, events: int, seed: int = 1, rebuild: bool = False) -> Built:
    """The cached mirror for these parameters, built first when missing (or `rebuild`)."""
    path = CACHE / _key(gifts, events, seed)
    if path.exists() and not rebuild:
        return Built(path, *_held(path), 0.0, cached=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".building")
    for stale in scratch.parent.glob(scratch.name + "*"):
        stale.unlink()
    start = time.perf_counter()
    build(scratch, History(gifts, events, seed))
    seconds = time.perf_counter() - start
    scratch.rename(path)
    return Built(path, *_held(path), seconds, cached=False)


def _held(path: Path) -> tuple[int, int]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        seq = db.execute("SELECT seq FROM indexer_state").fetchone()[0]
        gifts = db.execute("SELECT count(*) FROM gifts WHERE kind = 'money'").fetchone()[0]
    finally:
        db.close()
    return int(seq), int(gifts)


def build(path: Path, history: History) -> None:
    """Migrate a fresh SQLite file at `path` and apply the whole history to it."""
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _checkpoint(conn, FIRST_BLOCK - 1)
        for batch in batches(history):
            with engine.begin() as conn:
                apply_batch(conn, batch, finality_from=batch.last + 1)  # nothing journaled
    finally:
        engine.dispose()
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # one self-contained file for every reader
    db.close()


def _checkpoint(conn: Connection, block: int) -> None:
    """The state `aidledger index` starts from: the block before the deployment."""
    conn.execute(
        insert(T["blocks"]).values(
            number=block,
            hash=_block_hash(block),
            parent_hash=_block_hash(block - 1),
            timestamp=0,
            seq=0,
            head=ZERO_HEAD,
        )
    )
    conn.execute(
        insert(T["indexer_state"]).values(
            id=1,
            chain_id=CHAIN_ID,
            registry_address=EMITTERS["AidRegistry"],
            fund_address=EMITTERS["FundLedger"],
            supply_address=EMITTERS["SupplyLedger"],
            deployment_block=block + 1,
            last_block=block,
            last_block_hash=_block_hash(block),
            seq=0,
            head=ZERO_HEAD,
            unjournaled_through=block,
        )
    )


def batches(history: History) -> Iterator[Prepared]:
    """The history as the indexer's writer receives it: batches of whole blocks, each about
    `BATCH_EVENTS` events, continuing one another's `(seq, head)`."""
    seq, head = 0, b"\x00" * 32
    number = FIRST_BLOCK - 1
    previous = Header(number, _block_hash(number), _block_hash(number - 1), 0)
    headers: dict[int, Header] = {number: previous}
    entries: list[Entry] = []
    start_seq, start_head = seq, head
    for timestamp, txs in history.blocks():
        number += 1
        header = Header(number, _block_hash(number), previous.hash, timestamp)
        headers[number] = previous = header
        log_index = 0
        for t, tx in enumerate(txs):
            tx_hash = "0x" + keccak256(number.to_bytes(8, "big") + t.to_bytes(4, "big")).hex()
            for contract, name, args in tx:
                seq += 1
                head = keccak256(head + seq.to_bytes(32, "big"))
                args["seq"], args["head"] = seq, "0x" + head.hex()
                entries.append(
                    Entry(
                        name,
                        number,
                        log_index,
                        tx_hash,
                        EMITTERS[contract],
                        orjson.dumps(args).decode(),
                    )
                )
                log_index += 1
        if len(entries) >= BATCH_EVENTS:
            yield _prepared(headers, entries, start_seq, start_head, seq, head)
            headers, entries = {number: header}, []
            start_seq, start_head = seq, head
    if entries or len(headers) > 1:
        yield _prepared(headers, entries, start_seq, start_head, seq, head)


def _prepared(
    headers: dict[int, Header],
    entries: list[Entry],
    start_seq: int,
    start_head: bytes,
    seq: int,
    head: bytes,
) -> Prepared:
    first, last = min(headers) + 1, max(headers)
    return Prepared(CHAIN_ID, first, last, headers, entries, start_seq, start_head, seq, head)
