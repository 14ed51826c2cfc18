"""The demo seed at full size, timed: `python -m bench.demo_seed [--size 1] [--seed 2020]`.

A fresh devnet on a free port in a temporary directory, then `ledger.demo.seed` as
`aidledger demo` runs it (deploy included); prints the time, the writes and what the mirror
holds afterwards. Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session, col

from ledger.config import Settings
from ledger.demo import scenario
from ledger.demo.connect import open_seeder
from ledger.demo.seed import seed
from ledger.store.models import (
    Adjustment,
    Allocation,
    Gift,
    HandOver,
    Need,
    Pledge,
    Purchase,
    Shipment,
    ShipmentLine,
)
from tests.devnet.nodes import running, start_devnet


def counts(session: Session) -> dict[str, int]:
    """What the mirror holds."""

    def n(model: type, *where: object) -> int:
        query = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int(session.execute(query).scalar_one())

    return {
        "money gifts": n(Gift, col(Gift.kind) == "money"),
        "in-kind gifts": n(Gift, col(Gift.kind) == "in_kind"),
        "pledges": n(Pledge),
        "needs": n(Need),
        "allocations": n(Allocation),
        "purchases": n(Purchase),
        "shipments": n(Shipment),
        "lines short, damaged or lost": n(ShipmentLine, col(ShipmentLine.declared) > 0),
        "hand-overs": n(HandOver),
        "write-offs": n(Adjustment),
    }


def main() -> None:
    """Seed once on a fresh devnet and report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aidledger-demo-bench-") as tmp:
        root = Path(tmp)
        with running(start_devnet(root / "chain")) as node:
            data = root / "data"
            settings = Settings(
                node.url, f"sqlite:///{data / 'mirror.sqlite3'}", data, root / "deployments"
            )
            started = time.monotonic()
            seeder = open_seeder(settings, scenario.build(args.seed, args.size))
            tally = seed(seeder)
            seconds = time.monotonic() - started
            with seeder.session() as session:
                held = counts(session)
    report = {"size": args.size, "seconds": round(seconds, 1), "writes": tally.written, **held}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
