"""Staff keys: one encrypted keystore file per key (eth-account's scrypt), readable by owner only.

A private key exists in memory only while a write is signed; it is never printed, logged or
written unencrypted. The passphrase comes from `AIDLEDGER_KEY_PASSPHRASE` or a prompt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from ledger.errors import AidLedgerConfigError, AidLedgerValueError
from ledger.files import write_atomically

MIN_PASSPHRASE = 8


@dataclass(frozen=True)
class Keystore:
    """A directory of `<address>.json` keystore files (Web3 Secret Storage, scrypt)."""

    directory: Path
    work_factor: int | None = None  # scrypt n; None keeps eth-account's default (2**18)

    def create(self, passphrase: str) -> str:
        """Make a new key, store it encrypted, return its checksum address."""
        if len(passphrase) < MIN_PASSPHRASE:
            raise AidLedgerValueError(
                f"a key passphrase needs at least {MIN_PASSPHRASE} characters"
            )
        account: LocalAccount = Account.create()
        sealed = Account.encrypt(account.key, passphrase, kdf="scrypt", iterations=self.work_factor)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomically(self.path(account.address), json.dumps(sealed), mode=0o600)
        return str(account.address)

    def unlock(self, address: str, passphrase: str) -> LocalAccount:
        """The key of `address`; a wrong passphrase or a missing file says so."""
        path = self.path(address)
        try:
            sealed = json.loads(path.read_text())
        except FileNotFoundError:
            raise AidLedgerConfigError(
                f"no key for {address} in {self.directory}; add the staff member with "
                "`aidledger staff add` or point AIDLEDGER_DATA_DIR at the right directory"
            ) from None
        try:
            account: LocalAccount = Account.from_key(Account.decrypt(sealed, passphrase))
        except ValueError:
            raise AidLedgerValueError(f"wrong passphrase for the key of {address}") from None
        return account

    def path(self, address: str) -> Path:
        """Where the key of `address` is kept."""
        return self.directory / f"{to_checksum_address(address)}.json"
