"""Load the committed contract artifacts made by `make contracts`."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ledger.errors import AidLedgerConfigError

CONTRACT_NAMES = ("AidRegistry", "FundLedger", "SupplyLedger")


def artifacts_dir() -> Path:
    """Where artifacts live: `AIDLEDGER_ARTIFACTS_DIR`, else the package's `artifacts` folder.

    In a checkout `ledger/chain/artifacts` is a symbolic link to `contracts/build`; an installed
    wheel carries copies of the deployable contracts' artifacts there (pyproject package data).
    """
    override = os.environ.get("AIDLEDGER_ARTIFACTS_DIR")
    if override:
        return Path(override)
    return Path(__file__).with_name("artifacts")


@dataclass(frozen=True)
class Artifact:
    """One compiled contract: ABI, creation bytecode, compiler and the artifact's own hash."""

    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    compiler: str
    sha256: str


@cache
def load_artifact(name: str) -> Artifact:
    """Read `contracts/build/<name>.json`; a missing file says to run `make contracts`."""
    path = artifacts_dir() / f"{name}.json"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AidLedgerConfigError(
            f"contract artifact {path} is missing; run `make contracts` to compile it"
        ) from None
    data = json.loads(raw)
    return Artifact(
        name=name,
        abi=data["abi"],
        bytecode=data["bytecode"],
        compiler=data["compiler"],
        sha256="0x" + hashlib.sha256(raw).hexdigest(),
    )


def combined_abi() -> list[dict[str, Any]]:
    """Every entry of every deployable contract's ABI (for decoding errors and events)."""
    return [entry for name in CONTRACT_NAMES for entry in load_artifact(name).abi]
