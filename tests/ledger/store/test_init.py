"""Importing ledger.store is enough for a reader to know every mirror table."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_store_registers_every_table() -> None:
    code = (
        "import ledger.store\n"
        "from sqlmodel import SQLModel\n"
        "print(' '.join(sorted(SQLModel.metadata.tables)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert {"gifts", "lots", "shipments", "flow_sources", "indexer_state", "verifications"} <= set(
        out
    )
