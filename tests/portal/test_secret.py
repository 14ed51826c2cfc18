"""The portal's signing secret and its used sign-in nonces: made once with 0600 permissions under
the data directory and shared by every worker process; never weaker than asked."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from ledger.errors import AidLedgerConfigError
from portal.nonces import UsedNonces
from portal.secret import SECRET_ENV, SECRET_FILE, load_secret


def test_secret_file_made_once_owner_only_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    first = load_secret(tmp_path / "data")
    path = tmp_path / "data" / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32 and load_secret(tmp_path / "data") == first
    path.chmod(0o644)
    with pytest.raises(AidLedgerConfigError, match="chmod 600"):
        load_secret(tmp_path / "data")


def test_secret_from_the_environment_wins_and_must_be_long(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "x" * 40)
    assert load_secret(tmp_path) == b"x" * 40
    assert not (tmp_path / SECRET_FILE).exists()
    monkeypatch.setenv(SECRET_ENV, "short")
    with pytest.raises(AidLedgerConfigError, match="too short"):
        load_secret(tmp_path)


def test_without_a_data_directory_each_portal_has_a_random_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    assert load_secret(None) != load_secret(None)


def test_a_nonce_is_used_once_across_processes_sharing_the_file(tmp_path: Path) -> None:
    later = int(time.time()) + 60
    one, other = UsedNonces.under(tmp_path), UsedNonces.under(tmp_path)  # two workers
    assert one.use("n1", later)
    assert not other.use("n1", later) and not one.use("n1", later)
    assert other.use("n2", later)
    assert one.use("old", int(time.time()) - 1)  # expired rows are dropped on the next use
    assert other.use("old", later)
