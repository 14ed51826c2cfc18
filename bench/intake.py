"""Bank-statement intake, devnet and anvil side by side: `python -m bench.intake`.

One generated statement of `--rows` lines (default 10,000; UTF-8, thousands separators, Chinese
payer names) is imported with `ledger.write.intake.import_statement` into a fresh devnet and a
fresh anvil (chain 1337 both, instamine, default 30 M gas blocks), one after the other in the
same run. The time is the whole import: reading and validating the file, the giftExists check,
the codes file, the gas estimate, every RecordGifts batch and the final check. Each import is
checked afterwards: every row on chain exactly once. Floor: devnet <= 60 s for 10,000 rows.
(Results by hand into docs/benchmarks.md.)
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3

from ledger.chain.bindings import INTAKE_ROLE, AidLedger
from ledger.chain.client import ChainClient
from ledger.chain.deployment import deploy_system
from ledger.config import DEV_MNEMONIC
from ledger.write.gift_batches import gifts_exist
from ledger.write.intake import IntakeOptions, import_statement
from ledger.write.service import WriteService
from ledger.write.statement import Columns, read_statement
from tests.devnet.nodes import NodeProcess, running, start_anvil, start_devnet

FLOOR_SECONDS = 60.0


@dataclass(frozen=True)
class Run:
    """One import: seconds, rows, transactions, gas per gift."""

    node: str
    seconds: float
    rows: int
    batches: int
    gas_per_gift: int
    gas_used_per_gift: int

    def line(self) -> str:
        """A line for the console."""
        return (
            f"{self.node:7} {self.rows:,} rows in {self.seconds:6.1f} s = "
            f"{self.rows / self.seconds:,.0f} rows/s, {self.batches} transactions, "
            f"{self.gas_per_gift:,} gas a gift estimated, {self.gas_used_per_gift:,} used"
        )


def statement(path: Path, rows: int) -> Path:
    """A statement of `rows` lines, deterministic."""
    lines = ["date,amount,currency,reference,payer\n"]
    for i in range(rows):
        amount = f"{(i * 7919) % 50_000 + 1:,}.{i % 100:02}"
        lines.append(f'2020-02-{1 + i % 28:02},"{amount}",CNY,ICBC-{i:08},捐赠人{i}\n')
    path.write_text("".join(lines), encoding="utf-8")
    return path


@contextmanager
def node(kind: str, root: Path) -> Iterator[NodeProcess]:
    """A fresh devnet or anvil."""
    started = start_devnet(root / "chain") if kind == "devnet" else start_anvil()
    with running(started) as ready:
        yield ready


def clerk() -> tuple[LocalAccount, LocalAccount]:
    """The dev chains' deployer (mnemonic account 0) and an intake clerk's key."""
    Account.enable_unaudited_hdwallet_features()
    admin: LocalAccount = Account.from_mnemonic(DEV_MNEMONIC)
    intake: LocalAccount = Account.from_key(keccak(text="bench-intake-clerk"))
    return admin, intake


def one_import(kind: str, path: Path, root: Path) -> Run:
    """Deploy, grant the intake role, import `path` and time it; check every row once."""
    with node(kind, root) as ready:
        client = ChainClient(Web3(Web3.HTTPProvider(ready.url, request_kwargs={"timeout": 120})))
        admin, intake = clerk()
        client.fund(intake.address, 10**21)
        ledger = AidLedger.attach(client, deploy_system(client, admin))
        ledger.grant_role(admin, INTAKE_ROLE, intake.address)
        service = WriteService(ledger)
        codes = root / "codes.csv"
        start = time.perf_counter()
        report = import_statement(
            service, intake, read_statement(path, Columns()), codes, IntakeOptions()
        )
        seconds = time.perf_counter() - start
        rows = report.recorded
        assert all(gifts_exist(service, [r.gift_id for r in rows])), "a row is missing"
        seqs = [s for b in report.batches for s in b.seqs]
        assert len(seqs) == len(rows) == len(set(seqs)), "a row was recorded twice"
        receipts = [client.w3.eth.get_transaction_receipt(b.tx_hash) for b in report.batches]  # type: ignore[arg-type]
        used = sum(int(r["gasUsed"]) for r in receipts) // max(1, len(rows))
        batches = len(report.batches)
        return Run(kind, seconds, len(rows), batches, report.gas_per_gift or 0, used)


def main() -> None:
    """Import the same statement into a devnet and an anvil; print both and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000, help="statement lines")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="aidledger-bench-intake-") as tmp:
        root = Path(tmp)
        path = statement(root / "statement.csv", args.rows)
        runs = {}
        for kind in ("devnet", "anvil"):
            (root / kind).mkdir()
            runs[kind] = one_import(kind, path, root / kind)
            print(runs[kind].line(), flush=True)
    devnet, anvil = runs["devnet"], runs["anvil"]
    print(f"devnet/anvil throughput: {anvil.seconds / devnet.seconds:.2f}x")
    floor = FLOOR_SECONDS * args.rows / 10_000
    verdict = "met" if devnet.seconds <= floor else "MISSED"
    print(f"floor: devnet <= {floor:.0f} s for {args.rows:,} rows: {verdict}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
