"""Report export speed and memory (issue: auditor reports).

Builds a SQLite mirror of N events with the event shapes the chain gives (gifts, allocations,
purchases with their lots, hand-overs; synthetic values, a consistent history), then in one run:
- plain Python `csv` over SQLite (`SELECT * FROM raw_events`), the floor's reference;
- the sqlite3 command-line tool's `.mode csv`;
- `aidledger report --format csv` (journal + figures), rows/s and peak RSS;
- `--format xlsx`, peak RSS (the floor: at most 200 MB whatever the size);
- PDF and IATI of a period with 100,000 gifts (the floor: under a minute each).

Run: `.venv/bin/python -m bench.reports [--events 1000000] [--gifts 100000]`.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import orjson

from bench._processes import ROOT, run_timed
from ledger.indexer.journal_values import COLUMNS as JOURNAL_COLUMNS
from ledger.reports.build import Period, Report, resolve
from ledger.reports.events import mirror_events
from ledger.reports.formats import FORMATS
from ledger.store.db import make_engine, upgrade

ZERO = "0x" + "00" * 32
ACTOR = "0x00000000000000000000000000000000000000A1"
PER_BLOCK = 10
T0 = 1_767_225_600  # 2026-01-01 UTC


def _id(kind: str, n: int) -> str:
    return "0x" + f"{kind}{n:x}".encode().hex().ljust(64, "0")[:64]


def synthetic_events(n: int, gifts_only: bool = False) -> list[tuple[str, dict[str, object]]]:
    """`n` events (about), a consistent history: registry, then rounds of gifts, allocations,
    purchases with lots, hand-overs (or gifts only)."""
    org, site, item = _id("o", 1), _id("s", 1), _id("i", 1)
    out: list[tuple[str, dict[str, object]]] = [
        ("OrganisationRegistered", {"orgId": org, "kind": 1, "name": "Relief", "actor": ACTOR}),
        (
            "SiteRegistered",
            {
                "siteId": site,
                "orgId": org,
                "kind": 1,
                "region": "CN-HB",
                "name": "WH-1",
                "actor": ACTOR,
            },
        ),
        (
            "ItemRegistered",
            {"itemId": item, "category": ZERO, "unit": "piece", "name": "N95", "actor": ACTOR},
        ),
    ]
    pool = _id("p", 1)
    g = a = p = h = 0
    while len(out) < n:
        for _ in range(16 if not gifts_only else 64):
            g += 1
            out.append(
                (
                    "GiftRecorded",
                    {
                        "giftId": _id("g", g),
                        "poolId": pool,
                        "actor": ACTOR,
                        "currency": "CNY",
                        "amount": 10_000 + g % 977,
                        "earmarkKind": 0,
                        "earmark": ZERO,
                        "evidenceHash": _id("e", g),
                        "donorCommitment": _id("d", g),
                        "pledgeId": ZERO,
                        "publicName": "",
                    },
                )
            )
        if gifts_only:
            continue
        a += 1
        alloc = _id("a", a)
        out.append(
            (
                "FundsAllocated",
                {
                    "allocationId": alloc,
                    "poolId": pool,
                    "actor": ACTOR,
                    "amount": 100_000,
                    "needId": ZERO,
                    "purpose": _id("u", 1),
                },
            )
        )
        p += 1
        purchase, lot = _id("b", p), _id("l", p)
        out.append(
            (
                "AllocationSpent",
                {"allocationId": alloc, "purchaseId": purchase, "actor": ACTOR, "amount": 90_000},
            )
        )
        out.append(
            (
                "PurchaseRecorded",
                {
                    "purchaseId": purchase,
                    "allocationId": alloc,
                    "lotId": lot,
                    "supplierId": org,
                    "amount": 90_000,
                    "invoiceHash": ZERO,
                    "actor": ACTOR,
                },
            )
        )
        out.append(
            (
                "LotCreated",
                {
                    "lotId": lot,
                    "itemId": item,
                    "siteId": site,
                    "quantity": 900,
                    "batch": ZERO,
                    "expiry": 0,
                    "origin": 2,
                    "originId": purchase,
                    "parentLotId": ZERO,
                    "actor": ACTOR,
                },
            )
        )
        h += 1
        out.append(
            (
                "HandedOver",
                {
                    "handOverId": _id("h", h),
                    "lotId": lot,
                    "needId": ZERO,
                    "quantity": 600,
                    "beneficiaries": 300,
                    "unit": 1,
                    "actor": ACTOR,
                },
            )
        )
    return out[:n]


def build_mirror(path: Path, n: int, gifts_only: bool = False) -> int:
    """A SQLite mirror holding `n` synthetic events; the number of events."""
    url = f"sqlite:///{path}"
    upgrade(url)
    events = synthetic_events(n, gifts_only)
    db = sqlite3.connect(path)
    raw, blocks = [], []
    for i, (name, fields) in enumerate(events, start=1):
        block = 100 + (i - 1) // PER_BLOCK
        head = "0x" + f"{i:064x}"
        args = {**fields, "seq": i, "head": head}
        raw.append(
            (
                1337,
                "0x" + f"{block:064x}",
                (i - 1) % PER_BLOCK,
                block,
                i,
                head,
                "0x" + "22" * 20,
                name,
                orjson.dumps(args).decode(),
            )
        )
        if i % PER_BLOCK == 0 or i == len(events):
            blocks.append(
                (block, "0x" + f"{block:064x}", "0x" + f"{block - 1:064x}", T0 + block, i, head)
            )
    db.executemany(
        "INSERT INTO raw_events (chain_id, tx_hash, log_index, block_number, seq, head, emitter,"
        " name, args) VALUES (?,?,?,?,?,?,?,?,?)",
        raw,
    )
    db.executemany("INSERT INTO blocks VALUES (?,?,?,?,?,?)", blocks)
    last = blocks[-1]
    db.execute(
        "INSERT INTO indexer_state VALUES (1, 1337, ?, ?, ?, 1, ?, ?, ?, ?, 0)",
        ("0x" + "11" * 20, "0x" + "22" * 20, "0x" + "33" * 20, last[0], last[1], last[4], last[5]),
    )
    db.commit()
    db.close()
    return len(events)


def fill_journal_columns(path: Path) -> None:
    """Give every raw event its journal columns, as the indexer stores them for the events it
    indexes (the bench's mirror is written directly, not indexed). Taken from the report's own
    derivation of the journal (`journal.row`); tests/ledger/reports/test_journal_sql.py shows
    the indexer's columns equal it on every event kind."""
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        last = conn.exec_driver_sql("SELECT MAX(seq) FROM raw_events").scalar() or 0
        context = resolve(conn, Period(date(2000, 1, 1), date(2999, 12, 31)))
        report = Report(context, mirror_events(conn, last))
        values = [(*r[7:15], r[0]) for r in report.journal()]
    engine.dispose()
    db = sqlite3.connect(path)
    sets = ", ".join(f"{c} = ?" for c in JOURNAL_COLUMNS)
    db.executemany(f"UPDATE raw_events SET {sets} WHERE seq = ?", values)
    db.commit()
    db.close()


def fresh(work: Path) -> Path:
    """An empty folder for the next timed export: the previous export's files deleted and every
    dirty page written back first, so that no export pays for the gigabyte the one before it
    left (measured: with earlier outputs still on disk, the same export spent 1-2 s more in
    the kernel)."""
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    os.sync()
    return out


def python_csv(path: Path, out: Path) -> float:
    """Plain Python csv over SQLite: seconds."""
    start = time.perf_counter()
    db = sqlite3.connect(path)
    with out.open("w", newline="") as f:
        w = csv.writer(f)
        cur = db.execute("SELECT * FROM raw_events ORDER BY seq")
        w.writerow([d[0] for d in cur.description])
        while rows := cur.fetchmany(10_000):
            w.writerows(rows)
    db.close()
    return time.perf_counter() - start


def sqlite_cli(path: Path, out: Path) -> float:
    """The sqlite3 tool's csv mode: seconds."""
    start = time.perf_counter()
    with out.open("w") as f:
        subprocess.run(
            ["sqlite3", "-csv", "-header", str(path), "SELECT * FROM raw_events ORDER BY seq"],
            stdout=f,
            check=True,
        )
    return time.perf_counter() - start


def ours(path: Path, fmt: str, out: Path) -> tuple[float, int]:
    """`aidledger report` in a child process: (seconds, peak RSS bytes)."""
    env = {
        **os.environ,
        "AIDLEDGER_DATABASE_URL": f"sqlite:///{path}",
        "AIDLEDGER_DATA_DIR": str(path.parent),
    }
    argv = [
        str(Path(sys.executable).with_name("aidledger")),
        "report",
        "--from",
        "2000-01-01",
        "--to",
        "2999-12-31",
        "--format",
        fmt,
        "--out",
        str(out),
    ]
    timed = run_timed(argv, env, path.parent)
    if timed.returncode != 0:
        raise RuntimeError(f"aidledger report --format {fmt} failed: {timed.stderr}")
    return timed.seconds, timed.peak_rss


def main() -> None:
    """Build the mirrors, run every export once, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--gifts", type=int, default=100_000)
    parser.add_argument("--csv-only", action="store_true", help="stop after the CSV figures")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"machine: {platform.node()} {os.cpu_count()} cores; load {load[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bench-reports-", dir=ROOT) as tmp:
        work = Path(tmp)
        db = work / "mirror.sqlite3"
        start = time.perf_counter()
        n = build_mirror(db, args.events)
        fill_journal_columns(db)
        print(f"mirror: {n:,} events in {time.perf_counter() - start:.1f} s")
        base = python_csv(db, fresh(work) / "plain.csv")
        cli = sqlite_cli(db, fresh(work) / "cli.csv")
        seconds, rss = ours(db, "csv", fresh(work) / "ours.csv")
        print(f"python csv:  {n / base:,.0f} rows/s ({base:.1f} s)")
        print(f"sqlite3 csv: {n / cli:,.0f} rows/s ({cli:.1f} s)")
        print(
            f"ours csv:    {n / seconds:,.0f} rows/s ({seconds:.1f} s, peak RSS "
            f"{rss / 2**20:.0f} MB): {n / seconds / 150_000:.2f}x the floor, "
            f"{base / seconds:.2f}x python csv, {cli / seconds:.2f}x sqlite3"
        )
        if args.csv_only:
            return
        seconds, rss = ours(db, "xlsx", fresh(work) / "ours.xlsx")
        mb = rss / 2**20
        print(f"ours xlsx:   {n / seconds:,.0f} rows/s ({seconds:.1f} s), peak RSS {mb:.0f} MB")
        gifts_db = work / "gifts.sqlite3"
        m = build_mirror(gifts_db, args.gifts, gifts_only=True)
        for fmt, suffix in (("pdf", "pdf"), ("iati", "xml")):
            if fmt not in FORMATS:
                print(f"ours {fmt}: not available")
                continue
            seconds, rss = ours(gifts_db, fmt, fresh(work) / f"gifts.{suffix}")
            print(f"ours {fmt} of {m:,} gifts: {seconds:.1f} s, peak RSS {rss / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
