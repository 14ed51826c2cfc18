"""Encrypted staff keys: created, unlocked, never stored in the clear."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ledger.errors import AidLedgerConfigError, AidLedgerValueError
from ledger.write.keys import Keystore

FAST = 2**10  # scrypt work factor for tests only


def test_a_created_key_unlocks_with_its_passphrase_and_is_owner_only(tmp_path: Path) -> None:
    keys = Keystore(tmp_path / "keys", work_factor=FAST)
    address = keys.create("correct horse")
    account = keys.unlock(address, "correct horse")
    assert account.address == address
    path = keys.path(address)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert account.key.hex() not in path.read_text()


def test_wrong_passphrase_and_missing_key_say_what_to_do(tmp_path: Path) -> None:
    keys = Keystore(tmp_path, work_factor=FAST)
    address = keys.create("correct horse")
    with pytest.raises(AidLedgerValueError, match="wrong passphrase"):
        keys.unlock(address, "battery staple")
    with pytest.raises(AidLedgerConfigError, match="aidledger staff add"):
        keys.unlock("0x" + "11" * 20, "correct horse")


def test_a_short_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AidLedgerValueError, match="at least 8"):
        Keystore(tmp_path, work_factor=FAST).create("short")
    assert list(tmp_path.iterdir()) == []
