"""The fast sender recovery agrees with py-evm for every transaction type it handles."""

from __future__ import annotations

from typing import Any

import pytest
from eth.vm.forks.prague import PragueVM
from eth_account import Account
from hypothesis import given, settings
from hypothesis import strategies as st

from devnet.signatures import recover_sender

BUILDER = PragueVM.get_transaction_builder()
BASE = {"nonce": 7, "to": "0x" + "11" * 20, "value": 5, "gas": 50_000, "data": b"\x01\x02"}
KINDS: dict[str, dict[str, Any]] = {
    "legacy-155": {"gasPrice": 10**9, "chainId": 1337},
    "legacy-pre-155": {"gasPrice": 10**9},
    "eip2930": {
        "gasPrice": 10**9,
        "chainId": 1337,
        "accessList": [{"address": "0x" + "22" * 20, "storageKeys": ["0x" + "00" * 31 + "01"]}],
    },
    "eip1559": {"maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9, "chainId": 1337},
}


@settings(max_examples=25)
@given(
    key=st.binary(min_size=32, max_size=32).filter(lambda k: 0 < int.from_bytes(k, "big") < 2**255)
)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_recovered_sender_matches_py_evm(kind: str, key: bytes) -> None:
    raw = bytes(Account.sign_transaction({**BASE, **KINDS[kind]}, key).raw_transaction)
    fast, slow = BUILDER.decode(raw), BUILDER.decode(raw)
    assert recover_sender(fast) == slow.sender == bytes.fromhex(Account.from_key(key).address[2:])
    assert fast.sender == slow.sender  # cached where py-evm looks
