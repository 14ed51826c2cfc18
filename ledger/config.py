"""Settings from the environment or `aidledger.toml`; the environment wins."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ledger.errors import AidLedgerConfigError

DEV_CHAIN_IDS = frozenset({1337, 31337})
DEV_MNEMONIC = "test test test test test test test test test test test junk"
RPC_URL_FORM = "http://host:port or https://host:port (e.g. http://127.0.0.1:8545)"


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


def check_rpc_url(url: str) -> str:
    """`url` if it is an HTTP(S) JSON-RPC URL with a host; else a one-line AidLedgerConfigError.

    Every command that talks to a node (`deploy`, `index`, `verify`) goes through this check,
    so a URL without a scheme, a WebSocket URL or a typo is named before anything is sent.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        parts = None
    if parts is not None and parts.scheme in ("http", "https") and parts.hostname:
        return url
    if "://" not in url:
        hint = "no scheme"
    elif url.startswith(("ws://", "wss://")):
        hint = "a WebSocket URL; give the node's HTTP URL"
    else:
        hint = "not an HTTP URL with a host"
    raise AidLedgerConfigError(
        f"RPC URL {url!r} is not usable ({hint}): use {RPC_URL_FORM} in --rpc or AIDLEDGER_RPC_URL"
    )
