"""Settings from the environment or `aidledger.toml`; the environment wins."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ledger.errors import AidLedgerConfigError

DEV_CHAIN_IDS = frozenset({1337, 31337})
DEV_MNEMONIC = "test test test test test test test test test test test junk"


@dataclass(frozen=True)
class Settings:
    """Where the chain, the mirror and local data live."""

    rpc_url: str
    database_url: str
    data_dir: Path
    deployments_dir: Path


def _file_settings(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise AidLedgerConfigError(f"{path} is not valid TOML ({exc}); fix or remove it") from None
    section = data.get("aidledger", data)
    return {str(k): str(v) for k, v in section.items()}


def load_settings(config_file: Path = Path("aidledger.toml")) -> Settings:
    """Read settings: AIDLEDGER_* environment variables, then the TOML file, then defaults."""
    file = _file_settings(config_file)

    def get(key: str, default: str) -> str:
        return os.environ.get(f"AIDLEDGER_{key.upper()}") or file.get(key) or default

    data_dir = Path(get("data_dir", ".aidledger"))
    return Settings(
        rpc_url=get("rpc_url", "http://127.0.0.1:8545"),
        database_url=get("database_url", f"sqlite:///{data_dir / 'mirror.sqlite3'}"),
        data_dir=data_dir,
        deployments_dir=Path(get("deployments_dir", "deployments")),
    )
