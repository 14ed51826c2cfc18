"""Portal under load, ours against datasette over the same mirror: `python -m bench.portal`.

One run:
1. the mirror: a synthetic relief operation (`bench/_history.py`: 100,000 money gifts among
   1,000,000 events by default) applied by our indexer's own `apply_batch` into SQLite
   (`bench/_mirror.py`), cached under `.bench-cache/portal/` keyed by the parameters;
2. each server in turn over that one file: datasette 0.65 (`datasette serve -i`, its own
   virtualenv under `.bench-cache/datasette/`, installed on demand), then `aidledger portal`
   with 1 and 2 uvicorn workers, then ours again with ETag revalidation (If-None-Match);
3. against each, 50 keep-alive connections (asyncio + aiohttp) run the same mix, first back to
   back (the most it answers) and then at `--rate` requests per second (the latency at that
   load, counted from when each request was due), each for `--seconds` after a warm-up: the
   overview, the first page of gifts, gifts in CNY, random gifts, random sites, shipments and
   the gifts' JSON, and datasette's closest equivalents (table pages with `_size=50` sorted by
   `seq`, a filtered table page, row pages, the table's JSON, and the overview's goods and
   money totals as one `?sql=` query);
4. with `--postgresql URL` (a schema in the URL: `?options=-csearch_path%3Dname`), the same
   mirror copied into PostgreSQL (`bench/_pg_mirror.py`: our migrations, then COPY of the
   SQLite mirror's rows; kept for the next run) and ours with 1 and 2 workers over it, set
   against ours over SQLite in the same run (datasette has no PostgreSQL), with the CPU the
   PostgreSQL server's processes spent meanwhile when it runs on this machine.

Prints a markdown table: req/s, p50/p95/p99 latency, errors, the server's peak resident memory
(process tree), the load generator's own CPU, and the ratio to the peer in the same mode
(datasette for ours over SQLite, ours over SQLite for ours over PostgreSQL); then latency per
kind of request. The issue's floors, on this 2-core machine: at least 300 req/s
(back to back) and p99 at most 100 ms (at 300 req/s). Figures go to docs/benchmarks.md by hand.

Run: `.venv/bin/python -m bench.portal [--gifts 100000] [--events 1000000] [--seconds 30]`;
a short trial: `--gifts 10000 --events 100000 --seconds 5 --warmup 1`; PostgreSQL:
`--postgresql 'postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dbench_portal'`.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import subprocess
import time
import urllib.parse
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench._load import Kind, Stats, run_load
from bench._mirror import CACHE, Built, mirror
from bench._pg_mirror import PgBuilt, copy_mirror, cpu_between, postgres_cpu
from bench._processes import ROOT
from bench._servers import Server, datasette, datasette_available, ours, settle
from ledger.errors import AidLedgerConfigError

MB = 1024 * 1024
FLOOR_P99 = 0.100  # seconds
FLOOR_RATE = 300.0  # requests per second
SAMPLE_GIFTS = 2_000
# kind -> share of the mix
WEIGHTS = {
    "overview": 0.15,
    "gifts": 0.15,
    "gifts_cny": 0.10,
    "gift": 0.25,
    "site": 0.10,
    "shipments": 0.10,
    "api_gifts": 0.15,
}
NO_EXTRAS = "_nocount=1&_nofacet=1&_nosuggest=1"
# The overview's money and goods totals as one statement, for datasette's ?sql=.
TOTALS_SQL = """
select 'money' as what, currency as name, sum(received) as a, sum(allocated) as b,
  (select sum(al.spent) from allocations al join pools p2 on p2.pool_id = al.pool_id
   where p2.currency = pools.currency) as c, null as d
from pools group by currency
union all
select 'goods', i.name, s.in_kind, s.purchased, s.shipped, s.handed_over
from (select item_id,
        sum(case when origin = 1 then created else 0 end) as in_kind,
        sum(case when origin = 2 then created else 0 end) as purchased,
        sum(shipped) as shipped, sum(handed_over) as handed_over
      from lots group by item_id) s
join items i on i.item_id = s.item_id
"""


@dataclass(frozen=True)
class Sample:
    """Ids the mix picks from, read from the mirror."""

    gifts: list[str]
    sites: list[str]


def sample(db: Path, seed: int) -> Sample:
    """`SAMPLE_GIFTS` random money gifts and every site."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        gifts = [r[0] for r in conn.execute("SELECT gift_id FROM gifts WHERE kind = 'money'")]
        sites = [r[0] for r in conn.execute("SELECT site_id FROM sites ORDER BY site_id")]
    finally:
        conn.close()
    rng = random.Random(seed)
    return Sample(rng.sample(gifts, min(SAMPLE_GIFTS, len(gifts))), sites)


def _pick(values: list[str], make: Callable[[str], str]) -> Callable[[random.Random], str]:
    return lambda rng: make(rng.choice(values))


def _fixed(url: str) -> Callable[[random.Random], str]:
    return lambda rng: url


def our_mix(s: Sample) -> list[Kind]:
    """The portal's pages and API."""
    urls = {
        "overview": _fixed("/"),
        "gifts": _fixed("/gifts"),
        "gifts_cny": _fixed("/gifts?currency=CNY"),
        "gift": _pick(s.gifts, lambda g: f"/gifts/{g}"),
        "site": _pick(s.sites, lambda x: f"/sites/{x}"),
        "shipments": _fixed("/shipments"),
        "api_gifts": _fixed("/api/v1/gifts"),
    }
    return [Kind(name, WEIGHTS[name], urls[name]) for name in WEIGHTS]


def datasette_mix(s: Sample, database: str) -> list[Kind]:
    """Datasette's closest equivalents, 50 rows a page as ours, newest first."""
    db = "/" + urllib.parse.quote(database)
    page = "_sort_desc=seq&_size=50"
    sql = urllib.parse.urlencode({"sql": " ".join(TOTALS_SQL.split())})
    urls = {
        "overview": _fixed(f"{db}?{sql}"),
        "gifts": _fixed(f"{db}/gifts?{page}"),
        "gifts_cny": _fixed(f"{db}/gifts?currency=CNY&{page}"),
        "gift": _pick(s.gifts, lambda g: f"{db}/gifts/money,{g}"),
        "site": _pick(s.sites, lambda x: f"{db}/sites/{x}"),
        "shipments": _fixed(f"{db}/shipments?{page}"),
        # rows as objects with the next page's token, as ours; no count or facets, as ours
        "api_gifts": _fixed(f"{db}/gifts.json?{page}&_shape=objects&{NO_EXTRAS}"),
    }
    return [Kind(name, WEIGHTS[name], urls[name]) for name in WEIGHTS]


@dataclass(frozen=True)
class Run:
    """One server under the mix, back to back (`rate` None) or at a fixed rate."""

    server: str
    rate: float | None
    stats: Stats
    peak_rss: int
    peer: str = "datasette"  # the server it is set against
    db_cpu: float | None = None  # PostgreSQL's processes, in cores, over warm-up and window

    @property
    def label(self) -> str:
        """Server and mode, e.g. "ours, 2 workers @ 300/s"."""
        return self.server + (f" @ {self.rate:g}/s" if self.rate else "")

    @property
    def verdict(self) -> str:
        """The issue's floor this run measures: req/s back to back, p99 at the fixed rate."""
        s = self.stats
        clean = s.errors == 0 and s.dropped == 0
        if self.rate is None:
            met = clean and s.rate >= FLOOR_RATE
            return f"≥ {FLOOR_RATE:g} req/s: {'met' if met else 'missed'}"
        met = clean and s.percentile(99) <= FLOOR_P99
        return f"p99 ≤ {FLOOR_P99 * 1000:g} ms: {'met' if met else 'missed'}"


def measure(
    label: str,
    start: Callable[[], AbstractContextManager[Server]],
    kinds: list[Kind],
    args: argparse.Namespace,
    revalidate: bool = False,
    peer: str = "datasette",
    postgresql: bool = False,
) -> list[Run]:
    """Start a server, run the mix against it back to back and then at `--rate`, stop it."""
    runs = []
    with start() as server:
        for rate in [None, args.rate] if args.rate else [None]:
            how = f"{rate:g} req/s" if rate else "back to back"
            print(f"{label}: {args.connections} connections {how}, {args.warmup:g} s warm-up, "
                  f"{args.seconds:g} s measured ...", flush=True)  # fmt: skip
            server.rss.reset()
            before, began = postgres_cpu() if postgresql else {}, time.perf_counter()
            stats = run_load(
                server.base,
                kinds,
                connections=args.connections,
                seconds=args.seconds,
                warmup=args.warmup,
                rate=rate,
                revalidate=revalidate,
                seed=args.seed,
            )
            if stats.first_error:
                print(f"  first error: {stats.first_error}")
            db_cpu = None
            if postgresql:
                db_cpu = cpu_between(before, postgres_cpu()) / (time.perf_counter() - began)
            runs.append(Run(label, rate, stats, server.rss.peak, peer, db_cpu))
    settle()
    return runs


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def table(runs: list[Run]) -> str:
    """The markdown table of the runs, each against its peer's run of the same mode."""
    lines = [
        "| server | req/s | p50 ms | p95 ms | p99 ms | errors | not sent | 304 | peak RSS MB "
        "| load generator CPU | PostgreSQL CPU | req/s vs peer | p99 vs peer | floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        s = run.stats
        base = next((r for r in runs if r.server == run.peer and r.rate == run.rate), None)
        ratio_rate = ratio_p99 = "—"
        if base is not None and run is not base and base.stats.rate and base.stats.percentile(99):
            ratio_rate = f"{s.rate / base.stats.rate:.2f}x"
            ratio_p99 = f"{s.percentile(99) / base.stats.percentile(99):.2f}x"
        cpu = f"{100 * s.client_cpu / s.seconds:.0f}%" if s.seconds else "—"
        db = f"{100 * run.db_cpu:.0f}%" if run.db_cpu is not None else "—"
        lines.append(
            f"| {run.label} | {s.rate:,.0f} | {_ms(s.percentile(50))} | {_ms(s.percentile(95))} "
            f"| {_ms(s.percentile(99))} | {s.errors} | {s.dropped:,} | {s.statuses.get(304, 0):,} "
            f"| {run.peak_rss / MB:,.0f} | {cpu} | {db} | {ratio_rate} | {ratio_p99} "
            f"| {'—' if run.server == 'datasette' else run.verdict} |"
        )
    return "\n".join(lines)


def kinds_table(runs: list[Run]) -> str:
    """p50 / p99 ms (and count) per kind of request and server."""
    lines = [
        "| request | " + " | ".join(r.label for r in runs) + " |",
        "|---|" + "---|" * len(runs),
    ]
    for name in WEIGHTS:
        cells = []
        for run in runs:
            n = len(run.stats.latencies.get(name, []))
            p50, p99 = run.stats.percentile(50, name), run.stats.percentile(99, name)
            cells.append(f"{_ms(p50)} / {_ms(p99)} ({n:,})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "ledger", "portal"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() + (" (ledger/ or portal/ modified)" if dirty.stdout.strip() else "")


def _describe(built: Built) -> str:
    size = built.path.stat().st_size / MB
    how = "from the cache" if built.cached else f"built in {built.seconds:.1f} s"
    rate = f", {built.events / built.seconds:,.0f} events/s" if not built.cached else ""
    return (
        f"mirror: {built.events:,} events, {built.gifts:,} money gifts, {size:,.0f} MB "
        f"({how}{rate}): {built.path.relative_to(ROOT)}"
    )


def _describe_pg(pg: PgBuilt) -> str:
    how = "from the cache" if pg.cached else f"copied in {pg.seconds:.1f} s"
    return (
        f"PostgreSQL mirror: schema {pg.schema}, {pg.rows:,} rows, {pg.megabytes:,.0f} MB ({how})"
    )


def _workers(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> None:
    """Build or reuse the mirror, load each server in turn, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gifts", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=30.0, help="measured, per server")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--rate",
        type=float,
        default=FLOOR_RATE,
        help="after the back-to-back run, one at this many req/s (0: none)",
    )
    parser.add_argument("--workers", type=_workers, default=[1, 2], help="e.g. 1,2")
    parser.add_argument("--rebuild", action="store_true", help="build the mirror again")
    parser.add_argument("--mirror-only", action="store_true", help="build the mirror and stop")
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument("--no-revalidate", action="store_true", help="skip the ETag runs")
    parser.add_argument(
        "--postgresql",
        metavar="URL",
        help="also copy the mirror into this schema (?options=-csearch_path%%3Dname) and load "
        "ours over it",
    )
    args = parser.parse_args()

    load = os.getloadavg()
    print(f"machine: {platform.node()} {os.cpu_count()} cores, load {load[0]:.2f}; "
          f"commit {_commit()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")  # fmt: skip
    built = mirror(args.gifts, args.events, args.seed, rebuild=args.rebuild)
    print(_describe(built), flush=True)
    pg = None
    if args.postgresql:
        try:
            pg = copy_mirror(built.path, args.postgresql, rebuild=args.rebuild)
        except (ValueError, AidLedgerConfigError, psycopg.Error) as exc:
            raise SystemExit(f"--postgresql: {exc}") from None
        print(_describe_pg(pg), flush=True)
    if args.mirror_only:
        return
    ids = sample(built.path, args.seed)
    runs: list[Run] = []
    if not args.no_datasette:
        why = datasette_available()
        if why is not None:
            print(f"datasette: {why}; skipped")
        else:
            database = built.path.name.removesuffix(".sqlite3")
            runs += measure(
                "datasette", lambda: datasette(built.path), datasette_mix(ids, database), args
            )
    sqlite_url = f"sqlite:///{built.path}"
    for revalidate in [False] if args.no_revalidate else [False, True]:
        for workers in args.workers:
            label = f"ours, {workers} worker{'s' if workers > 1 else ''}"
            label += ", If-None-Match" if revalidate else ""
            mix = our_mix(ids)
            runs += measure(label, _ours(sqlite_url, workers), mix, args, revalidate)
            if pg is not None:  # right after the same configuration over SQLite
                runs += measure(
                    label.replace("ours,", "ours on PostgreSQL,"),
                    _ours(pg.url, workers),
                    mix,
                    args,
                    revalidate,
                    peer=label,
                    postgresql=True,
                )
    print(f"load average after: {os.getloadavg()[0]:.2f}\n")
    print(table(runs))
    print()
    print("p50 / p99 ms (answers) per request:\n")
    print(kinds_table(runs))


def _ours(url: str, workers: int) -> Callable[[], AbstractContextManager[Server]]:
    return lambda: ours(url, CACHE, workers)


if __name__ == "__main__":
    main()
