"""The devnet's default data dir follows the data dir of every AidLedger command."""

from __future__ import annotations

from pathlib import Path

import pytest

from devnet.config import DEFAULT_DATA_DIR, default_data_dir


def test_default_is_dot_aidledger_devnet(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AIDLEDGER_DATA_DIR", raising=False)
    assert (
        default_data_dir(tmp_path / "absent.toml") == DEFAULT_DATA_DIR == Path(".aidledger/devnet")
    )


def test_environment_wins_over_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    toml = tmp_path / "aidledger.toml"
    toml.write_text('[aidledger]\ndata_dir = "/from/file"\n')
    monkeypatch.setenv("AIDLEDGER_DATA_DIR", "/from/env")
    assert default_data_dir(toml) == Path("/from/env/devnet")
    monkeypatch.delenv("AIDLEDGER_DATA_DIR")
    assert default_data_dir(toml) == Path("/from/file/devnet")


def test_file_without_section_and_invalid_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AIDLEDGER_DATA_DIR", raising=False)
    toml = tmp_path / "aidledger.toml"
    toml.write_text('data_dir = "top"\n')
    assert default_data_dir(toml) == Path("top/devnet")
    toml.write_text("data_dir = [unclosed\n")
    assert default_data_dir(toml) == DEFAULT_DATA_DIR
