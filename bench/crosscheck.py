"""Do both indexers of bench/indexer.py derive the same numbers? `python -m bench.crosscheck`.

Generates a small workload on anvil, indexes it with `aidledger index` and with Ponder into two
scratch PostgreSQL databases, and compares the balances both derive: pools, lots, allocations,
needs, shipments, money gifts and the raw event sequence. A benchmark of two indexers means
something only when they did the same work.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from bench._processes import anvil, free_port, scratch_postgres
from bench.indexer import (
    PONDER,
    PONDER_DIR,
    _ours_argv,
    _ponder_env,
    _PonderReady,
    _settle,
    ours_available,
    ponder_available,
)
from bench.workload import generate
from ledger.chain.deployment import Deployment

Rows = list[tuple[object, ...]]
# table -> columns compared, key first; Ponder's tables live in its schema "bench".
TABLES = {
    "pools": "pool_id, received, allocated",
    "lots": "lot_id, created, on_hand, shipped, handed_over, adjusted_out",
    "allocations": "allocation_id, amount, spent, released",
    "needs": "need_id, quantity, fulfilled",
    "shipments": "shipment_id, line_count, open_lines",
    "gifts": "gift_id, amount",
    "raw_events": "seq, head",
}


def _rows(url: str, table: str) -> Rows:
    where = " WHERE kind = 'money'" if table == "gifts" else ""
    with psycopg.connect(url) as conn:
        rows = conn.execute(f"SELECT {TABLES[table]} FROM {table}{where}").fetchall()
    return sorted(tuple(str(v).lower() if isinstance(v, str) else int(v) for v in r) for r in rows)


def _index_with_ponder(
    rpc_url: str, deployment: Deployment, end_block: int, url: str, work: Path
) -> None:
    port = free_port()
    env = _ponder_env(rpc_url, deployment, end_block, url, work)
    argv = [str(PONDER), "start", "--schema", "bench", "--port", str(port)]
    proc = subprocess.Popen(
        argv, env=env, cwd=PONDER_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    ready = _PonderReady(port)
    try:
        while not ready():
            if proc.poll() is not None:
                raise RuntimeError(f"Ponder exited with {proc.returncode}")
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def compare(events: int) -> list[str]:
    """Index `events` events both ways; one line per table, saying whether they agree."""
    with (
        anvil() as rpc_url,
        tempfile.TemporaryDirectory() as tmp,
        scratch_postgres("crosscheck_ours") as ours,
        scratch_postgres("crosscheck_ponder") as theirs,
    ):
        deployments = Path(tmp)
        deployment = generate(rpc_url, events, deployments)
        end_block = _settle(rpc_url)
        subprocess.run(
            _ours_argv(rpc_url, deployments, ours), check=True, capture_output=True, env=os.environ
        )
        _index_with_ponder(rpc_url, deployment, end_block, theirs, deployments)
        ponder_url = theirs + "?options=-csearch_path%3Dbench"
        lines = []
        for table in TABLES:
            a, b = _rows(ours, table), _rows(ponder_url, table)
            verdict = "equal" if a == b else f"DIFFER ({len(set(a) ^ set(b))} rows)"
            lines.append(f"{table:<12} {len(a):>7,} rows ours, {len(b):>7,} Ponder: {verdict}")
    return lines


def main() -> None:
    """CLI."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5_000)
    args = parser.parse_args()
    for why in (ours_available(), ponder_available()):
        if why:
            raise SystemExit(why)
    lines = compare(args.events)
    print("\n".join(lines))
    if any("DIFFER" in line for line in lines):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
