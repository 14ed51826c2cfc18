"""Deterministic dev accounts derived from a BIP-39 mnemonic (m/44'/60'/0'/0/i, as anvil)."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_keys.datatypes import PrivateKey


@dataclass(frozen=True)
class DevAccount:
    """One funded account whose key the node holds for `eth_sendTransaction`."""

    address: bytes
    key: PrivateKey

    @property
    def checksum(self) -> str:
        """The EIP-55 form of the address."""
        return str(Account.from_key(self.key.to_bytes()).address)


def derive_accounts(mnemonic: str, count: int) -> list[DevAccount]:
    """The first `count` accounts of `mnemonic` on the Ethereum derivation path."""
    Account.enable_unaudited_hdwallet_features()
    out = []
    for i in range(count):
        local = Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{i}")
        key = PrivateKey(local.key)
        out.append(DevAccount(address=key.public_key.to_canonical_address(), key=key))
    return out
