"""Indexer throughput, ours against Ponder 0.11, on one chain: `python -m bench.indexer`.

One run: start anvil, generate the workload (bench.workload, 100,000 events by default), then
index it from scratch, fetching included, with
  - `aidledger index` (catch up and exit) into SQLite and into PostgreSQL, and
  - Ponder 0.11 (bench/ponder) into PGlite, its default store, and into PostgreSQL,
each into a fresh database, one at a time, sampling the resident memory of the process tree.
Prints a table with events/s and the ratios ours / Ponder (results go to docs/benchmarks.md by
hand). `--profile` adds one run of ours on SQLite under py-spy and says where its time goes.

Ours runs whatever `ledger` the environment imports; to time a commit while ledger/ is being
edited: `git archive HEAD ledger contracts/build | tar -x -C /tmp/snap`, then, from a directory
without a ledger/ of its own, `PYTHONPATH=/tmp/snap:<repo> <repo>/.venv/bin/python -m
bench.indexer` (the first lines printed say which code ran).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError

from bench import _floors, _profile
from bench._processes import ROOT, Timed, anvil, free_port, run_timed, scratch_postgres
from bench._rpc import Rpc
from bench.workload import Workload
from bench.workload import run as generate
from ledger.chain.deployment import Deployment

AIDLEDGER = ROOT / ".venv" / "bin" / "aidledger"
PONDER_DIR = ROOT / "bench" / "ponder"
PONDER = PONDER_DIR / "node_modules" / ".bin" / "ponder"
# Ponder 0.11 treats the newest 30 blocks of an unknown chain as unfinalised and leaves them to
# its realtime sync; mining this many empty blocks puts every workload block in its backfill.
SETTLE_BLOCKS = 64
MB = 1024 * 1024


@dataclass(frozen=True)
class Result:
    """One indexer into one store."""

    indexer: str
    store: str
    events: int
    wall_seconds: float  # spawn to exit (ours) or to /ready (Ponder): startup included
    index_seconds: float  # the indexer's own figure: first fetch to last commit
    rss_mid: int
    rss_end: int
    rss_peak: int

    @property
    def wall_rate(self) -> float:
        """Events per second, startup included."""
        return self.events / self.wall_seconds

    @property
    def index_rate(self) -> float:
        """Events per second of indexing proper."""
        return self.events / self.index_seconds


def _result(indexer: str, store: str, events: int, timed: Timed, index_seconds: float) -> Result:
    return Result(
        indexer,
        store,
        events,
        timed.seconds,
        index_seconds,
        timed.rss_at(0.5),
        timed.rss_at(1.0),
        timed.peak_rss,
    )


# --------------------------------------------------------------------- ours


def ours_available() -> str | None:
    """None when `aidledger index` can run here, else why not."""
    if not AIDLEDGER.exists():
        return f"{AIDLEDGER} is missing; run `make setup-python`"
    probe = subprocess.run(
        [str(AIDLEDGER), "index", "--help"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        return "`aidledger index` is not there yet (issue 5); skipping our indexer"
    return None


def run_ours(
    rpc_url: str, deployments: Path, database_url: str, store: str, events: int, work: Path
) -> Result:
    """`aidledger index` from scratch into `database_url`; checks it reached seq `events`."""
    timed = run_timed(_ours_argv(rpc_url, deployments, database_url), dict(os.environ), work)
    summary = _ours_summary(timed)
    if summary.get("seq") != events:
        raise RuntimeError(f"our indexer stopped at seq {summary.get('seq')}, not {events}")
    return _result("aidledger index", store, events, timed, float(summary["seconds"]))


def _ours_argv(rpc_url: str, deployments: Path, database_url: str) -> list[str]:
    return [
        str(AIDLEDGER),
        "index",
        *("--rpc", rpc_url, "--database-url", database_url),
        *("--deployments-dir", str(deployments), "--json"),
    ]


def _ours_summary(timed: Timed) -> dict[str, float]:
    if timed.returncode != 0:
        raise RuntimeError(
            f"aidledger index exited {timed.returncode}:\n{timed.stdout[-2000:]}"
            f"{timed.stderr[-2000:]}"
        )
    last = [line for line in timed.stdout.splitlines() if line.startswith("{")][-1]
    summary: dict[str, float] = json.loads(last)  # py-spy adds lines of its own
    return summary


def profile_ours(rpc_url: str, deployments: Path, events: int, work: Path) -> str:
    """One SQLite run under py-spy; the breakdown of where its time went."""
    if _profile.py_spy() is None:
        return "profile: py-spy is not on PATH (`pip install py-spy` anywhere); skipped"
    samples = work / "ours.pyspy"
    argv = _ours_argv(rpc_url, deployments, f"sqlite:///{work}/profiled.db")
    timed = run_timed(_profile.record_argv(samples, argv), dict(os.environ), work)
    summary = _ours_summary(timed)
    return _profile.breakdown(samples, float(summary["seconds"]), events)


# --------------------------------------------------------------------- Ponder


def ponder_available() -> str | None:
    """None when Ponder is installed in bench/ponder, else why not."""
    if not PONDER.exists():
        return "Ponder is not installed; `make bench-indexer` runs `npm ci` in bench/ponder"
    return None


def run_ponder(
    rpc_url: str,
    deployment: Deployment,
    end_block: int,
    database_url: str | None,
    events: int,
    work: Path,
) -> Result:
    """Ponder from scratch (fresh PGlite directory or database) until /ready; check its head."""
    port = free_port()
    env = _ponder_env(rpc_url, deployment, end_block, database_url, work)
    argv = [str(PONDER), "--log-format", "json", "start", "--schema", "bench", "--port", str(port)]
    ready = _PonderReady(port)
    timed = run_timed(argv, env, PONDER_DIR, done=ready)
    if timed.returncode != 0:
        raise RuntimeError(f"ponder exited {timed.returncode}:\n{timed.stdout[-3000:]}")
    if ready.seq != events:
        raise RuntimeError(f"Ponder stopped at seq {ready.seq}, not {events}")
    store = "PostgreSQL" if database_url else "PGlite"
    return _result("Ponder 0.11", store, events, timed, _ponder_index_seconds(timed.stdout))


def _ponder_env(
    rpc_url: str, deployment: Deployment, end_block: int, database_url: str | None, work: Path
) -> dict[str, str]:
    env = {
        **os.environ,
        "PONDER_RPC_URL": rpc_url,
        "PONDER_CHAIN_ID": str(deployment.chain_id),
        "PONDER_START_BLOCK": str(deployment.deployment_block),
        "PONDER_END_BLOCK": str(end_block),
        "AIDLEDGER_REGISTRY": deployment.registry,
        "AIDLEDGER_FUND_LEDGER": deployment.fund_ledger,
        "AIDLEDGER_SUPPLY_LEDGER": deployment.supply_ledger,
        "PONDER_PGLITE_DIR": str(work / "pglite"),
        "PONDER_TELEMETRY_DISABLED": "true",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


class _PonderReady:
    """True once Ponder's /ready answers 200; then reads the ledger head it reached."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.seq: int | None = None

    def __call__(self) -> bool:
        try:
            with urllib.request.urlopen(self.base + "/ready", timeout=5) as answer:
                if answer.status != 200:
                    return False
        except (URLError, OSError):
            return False
        with urllib.request.urlopen(self.base + "/bench/head", timeout=30) as answer:
            self.seq = int(json.loads(answer.read())["seq"])
        return True


def _ponder_index_seconds(log: str) -> float:
    """From 'Started ... historical sync' to 'Completed historical indexing', from Ponder's log."""
    times: dict[str, float] = {}
    for line in log.splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        message = str(entry.get("msg", ""))
        if "historical sync with" in message:
            times["start"] = float(entry["time"])
        elif message == "Completed historical indexing":
            times["end"] = float(entry["time"])
    if set(times) != {"start", "end"}:
        raise RuntimeError("Ponder's log does not show the start and end of its historical sync")
    return (times["end"] - times["start"]) / 1000


# --------------------------------------------------------------------- one run


@dataclass
class Options:
    """What to run."""

    events: int
    stores: list[str]
    ours: bool
    ponder: bool
    profile: bool
    scale: int = 1


def run_all(options: Options) -> tuple[Workload, list[Result], str | None]:
    """Anvil, workload, then each indexer into each store, one at a time."""
    results: list[Result] = []
    with anvil() as rpc_url, tempfile.TemporaryDirectory(prefix="aidledger-bench-") as tmp:
        work = Path(tmp)
        workload = generate(rpc_url, options.events, work / "deployments", scale=options.scale)
        print(_workload_line(workload), flush=True)
        end_block = _settle(rpc_url)
        floors = _floors.measure(rpc_url, workload.deployment, end_block)
        print(f"event mix: {floors.mix()}")
        print("stages alone, one Python process (lower bounds):", *floors.lines(), sep="\n")
        for store in options.stores:
            for name, run in _runners(options, rpc_url, workload, end_block, work, store):
                print(f"{name} ...", flush=True)
                results.append(run())
                print(f"  {_row(results[-1])}", flush=True)
        profile = None
        if options.profile and options.ours and ours_available() is None:
            profile = profile_ours(rpc_url, work / "deployments", options.events, work)
    return workload, results, profile


def _settle(rpc_url: str) -> int:
    rpc = Rpc(rpc_url)
    end_block = int(rpc.call("eth_blockNumber"), 16)
    rpc.call("anvil_mine", [hex(SETTLE_BLOCKS)])
    rpc.close()
    return end_block


def _runners(
    options: Options, rpc_url: str, workload: Workload, end_block: int, work: Path, store: str
) -> Iterator[tuple[str, Callable[[], Result]]]:
    deployments, n = work / "deployments", workload.events
    if options.ours:
        why = ours_available()
        if why:
            print(f"our indexer: {why}", flush=True)
        else:

            def ours() -> Result:
                with _database(store, "aidledger_bench", work / "ours.db") as url:
                    return run_ours(rpc_url, deployments, url, _store_name(store), n, work)

            yield f"aidledger index into {_store_name(store)}", ours
    if options.ponder:
        why = ponder_available()
        if why:
            print(f"Ponder: {why}", flush=True)
        else:

            def ponder() -> Result:
                shutil.rmtree(work / "pglite", ignore_errors=True)
                database: AbstractContextManager[str | None] = (
                    scratch_postgres("ponder_bench") if store == "postgres" else nullcontext()
                )
                with database as url:
                    return run_ponder(rpc_url, workload.deployment, end_block, url, n, work)

            yield f"Ponder 0.11 into {'PostgreSQL' if store == 'postgres' else 'PGlite'}", ponder


@contextmanager
def _database(store: str, name: str, sqlite_path: Path) -> Iterator[str]:
    if store == "postgres":
        with scratch_postgres(name) as url:
            yield url
        return
    sqlite_path.unlink(missing_ok=True)
    yield f"sqlite:///{sqlite_path}"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)


def _store_name(store: str) -> str:
    return {"sqlite": "SQLite", "postgres": "PostgreSQL"}[store]


# --------------------------------------------------------------------- report


def _workload_line(w: Workload) -> str:
    return (
        f"workload: {w.events:,} events in {w.transactions:,} transactions and {w.blocks:,} "
        f"blocks, generated in {w.seconds:.1f} s ({w.events / w.seconds:,.0f} events/s: setup "
        f"{w.setup_seconds:.1f} s, plan {w.plan_seconds:.1f} s, sign {w.sign_seconds:.1f} s, "
        f"send and mine {w.send_seconds:.1f} s)"
    )


HEADER = (
    f"{'indexer':<16} {'store':<11} {'wall s':>7} {'events/s':>9} {'index s':>8} "
    f"{'events/s':>9} {'RSS mid':>8} {'RSS end':>8} {'RSS peak':>8}"
)


def _row(r: Result) -> str:
    return (
        f"{r.indexer:<16} {r.store:<11} {r.wall_seconds:>7.1f} {r.wall_rate:>9,.0f} "
        f"{r.index_seconds:>8.1f} {r.index_rate:>9,.0f} {r.rss_mid / MB:>6.0f}MB "
        f"{r.rss_end / MB:>6.0f}MB {r.rss_peak / MB:>6.0f}MB"
    )


def table(results: list[Result]) -> str:
    """The results, then ours / Ponder per store (SQLite is set against PGlite)."""
    lines = [HEADER, *(_row(r) for r in results)]
    pairs = {"SQLite": "PGlite", "PostgreSQL": "PostgreSQL"}
    for ours in (r for r in results if r.indexer == "aidledger index"):
        theirs = next(
            (r for r in results if r.indexer == "Ponder 0.11" and r.store == pairs[ours.store]),
            None,
        )
        if theirs is not None:
            lines.append(
                f"ours/Ponder, {ours.store} vs {theirs.store}: "
                f"{ours.wall_rate / theirs.wall_rate:.2f}x wall, "
                f"{ours.index_rate / theirs.index_rate:.2f}x indexing"
            )
    return "\n".join(lines)


def _code_state() -> str:
    """Which indexer code runs: the commit, and whether ledger/ differs from it here."""
    import ledger  # noqa: PLC0415

    where = Path(ledger.__file__).resolve().parents[1]
    git = ["git", "-C", str(where)]
    head = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    if head.returncode != 0:
        return f"ledger from {where} (not a git checkout)"
    status = [*git, "status", "--porcelain", "--", "ledger"]
    dirty = subprocess.run(status, capture_output=True, text=True, check=False).stdout.strip()
    changes = f", {len(dirty.splitlines())} uncommitted changes in ledger/" if dirty else ""
    return f"ledger from {where} at {head.stdout.strip()}{changes}"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    """Parse the options, run, print the table (and the profile)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--stores", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--no-ours", action="store_true", help="skip aidledger index")
    parser.add_argument("--no-ponder", action="store_true", help="skip Ponder")
    parser.add_argument("--profile", action="store_true", help="py-spy ours on SQLite")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--scale", type=int, default=1, help="workload operations per block")
    args = parser.parse_args()
    options = Options(
        args.events,
        args.stores.split(","),
        not args.no_ours,
        not args.no_ponder,
        args.profile,
        args.scale,
    )
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(_code_state())
    print(f"load average before: {_load()}")
    workload, results, profile = run_all(options)
    print(table(results))
    print(f"load average after: {_load()}")
    if profile:
        print(profile)
    if args.json:
        payload = {
            "workload": {"events": workload.events, "seconds": workload.seconds},
            "results": [r.__dict__ for r in results],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
