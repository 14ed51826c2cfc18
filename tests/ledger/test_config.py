"""Settings precedence: environment, then aidledger.toml, then defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.config import check_rpc_url, load_settings
from ledger.errors import AidLedgerConfigError


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("RPC_URL", "DATABASE_URL", "DATA_DIR", "DEPLOYMENTS_DIR"):
        monkeypatch.delenv(f"AIDLEDGER_{key}", raising=False)
    settings = load_settings(tmp_path / "missing.toml")
    assert settings.rpc_url == "http://127.0.0.1:8545"
    assert settings.database_url == "sqlite:///.aidledger/mirror.sqlite3"


def test_environment_beats_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "aidledger.toml"
    config.write_text('[aidledger]\nrpc_url = "http://file:1"\ndata_dir = "/tmp/x"\n')
    monkeypatch.setenv("AIDLEDGER_RPC_URL", "http://env:2")
    monkeypatch.delenv("AIDLEDGER_DATA_DIR", raising=False)
    monkeypatch.delenv("AIDLEDGER_DATABASE_URL", raising=False)
    settings = load_settings(config)
    assert settings.rpc_url == "http://env:2"
    assert settings.data_dir == Path("/tmp/x")
    assert settings.database_url == "sqlite:////tmp/x/mirror.sqlite3"


def test_bad_toml_says_which_file(tmp_path: Path) -> None:
    config = tmp_path / "aidledger.toml"
    config.write_text("rpc_url = = 1")
    with pytest.raises(AidLedgerConfigError, match=r"aidledger\.toml is not valid TOML"):
        load_settings(config)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8545", "https://rpc.example.org/v1/key", "http://node:80"]
)
def test_rpc_url_accepted(url: str) -> None:
    assert check_rpc_url(url) == url


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("localhost:8545", "no scheme"),
        ("127.0.0.1:8545", "no scheme"),
        ("notaurl", "no scheme"),
        ("ws://127.0.0.1:8545", "WebSocket"),
        ("wss://rpc.example.org", "WebSocket"),
        ("ftp://host:21", "not an HTTP URL"),
        ("http://", "not an HTTP URL"),
        ("http://host:port", "not an HTTP URL"),
    ],
)
def test_rpc_url_refused_with_the_form_expected(url: str, why: str) -> None:
    with pytest.raises(AidLedgerConfigError) as caught:
        check_rpc_url(url)
    message = str(caught.value)
    assert why in message and "http://host:port or https://host:port" in message
    assert "\n" not in message
