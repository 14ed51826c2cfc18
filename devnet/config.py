"""Settings of one devnet node, with the defaults every AidLedger part shares."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MNEMONIC = "test test test test test test test test test test test junk"
DEFAULT_PORT = 8545
DEFAULT_CHAIN_ID = 1337
DEFAULT_DATA_DIR = Path(".aidledger/devnet")
DATA_DIR_ENV = "AIDLEDGER_DATA_DIR"
DEFAULT_BALANCE_WEI = 10_000 * 10**18
DEFAULT_GAS_LIMIT = 30_000_000
DEFAULT_MAX_LOGS = 10_000
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class DevnetConfig:
    """Everything `aidledger devnet` can be told; see docs/devnet.md."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    chain_id: int = DEFAULT_CHAIN_ID
    data_dir: Path = DEFAULT_DATA_DIR
    block_time: float = 0.0
    accounts: int = 10
    mnemonic: str = DEFAULT_MNEMONIC
    balance_wei: int = DEFAULT_BALANCE_WEI
    gas_limit: int = DEFAULT_GAS_LIMIT
    max_logs: int = DEFAULT_MAX_LOGS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    store: str = "lmdb"
    fsync: bool = False  # True: fsync every block (power loss); see docs/devnet.md#durability


def default_data_dir(config_file: Path = Path("aidledger.toml")) -> Path:
    """`<data dir>/devnet`, the data dir as every AidLedger command finds it.

    `$AIDLEDGER_DATA_DIR`, else `data_dir` in `aidledger.toml`, else `.aidledger` (the rule
    of ledger/config.py, repeated here so the devnet imports nothing from `ledger`; a file
    that is not valid TOML is left for the `ledger` commands to report).
    """
    base = os.environ.get(DATA_DIR_ENV) or _file_data_dir(config_file)
    return Path(base) / "devnet" if base else DEFAULT_DATA_DIR


def _file_data_dir(config_file: Path) -> str | None:
    try:
        data = tomllib.loads(config_file.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    section = data.get("aidledger", data)
    value = section.get("data_dir") if isinstance(section, dict) else None
    return str(value) if value else None
