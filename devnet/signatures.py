"""Sender recovery and node-side signing: one RLP encoding and one coincurve call each.

py-evm's `tx.sender` re-encodes the signing payload with pyrlp and goes through eth-keys'
wrappers; at admission that was half the cost of a raw transaction. This computes the same
address directly (checked against py-evm in tests) and stores it where py-evm caches
`sender`, so execution does not recover it again. Types other than 0, 1 and 2 fall back to
py-evm. :func:`sign_dynamic_fee` signs `eth_sendTransaction` requests the same way (a fifth
of py-evm's sign, encode and decode).
"""

from __future__ import annotations

from typing import Any

from coincurve import PrivateKey, PublicKey
from eth.vm.forks.london.transactions import DynamicFeeTransaction
from eth_hash.auto import keccak

from devnet._types import Tx
from devnet.ordered_trie import rlp_encode


def _int(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _access_list(tx: Tx) -> list[Any]:
    return [
        [address, [slot.to_bytes(32, "big") for slot in slots]] for address, slots in tx.access_list
    ]


def _payload(tx: Tx) -> tuple[bytes, int] | None:
    """The signed message and the signature's y-parity, or None for other types."""
    common = [_int(tx.gas), tx.to, _int(tx.value), tx.data]
    if tx.type_id is None:
        fields = [_int(tx.nonce), _int(tx.gas_price), *common]
        if tx.v in (27, 28):
            return rlp_encode(fields), tx.v - 27
        chain_id, parity = divmod(tx.v - 35, 2)
        return rlp_encode([*fields, _int(chain_id), b"", b""]), parity
    if tx.type_id == 1:
        body = [_int(tx.chain_id), _int(tx.nonce), _int(tx.gas_price), *common, _access_list(tx)]
        return b"\x01" + rlp_encode(body), tx.y_parity
    if tx.type_id == 2:
        fees = [_int(tx.max_priority_fee_per_gas), _int(tx.max_fee_per_gas)]
        body = [_int(tx.chain_id), _int(tx.nonce), *fees, *common, _access_list(tx)]
        return b"\x02" + rlp_encode(body), tx.y_parity
    return None


def recover_sender(tx: Tx) -> bytes:
    """The sender's address; raises ValueError for a signature that recovers no key."""
    payload = _payload(tx)
    if payload is None:
        return bytes(tx.sender)
    message, parity = payload
    if parity not in (0, 1):
        raise ValueError(f"invalid signature parity {parity}")
    signature = tx.r.to_bytes(32, "big") + tx.s.to_bytes(32, "big") + bytes([parity])
    public = PublicKey.from_signature_and_message(signature, keccak(message), hasher=None)
    sender = keccak(public.format(compressed=False)[1:])[12:]
    tx.__dict__["sender"] = sender  # where py-evm's cached_property keeps it
    return sender


Fields = tuple[int, int, int, int, int, bytes, int, bytes]


def sign_dynamic_fee(builder: Any, key: bytes, sender: bytes, fields: Fields) -> Tx:
    """An EIP-1559 transaction without access list, signed with `sender`'s `key`.

    `fields`: chain id, nonce, max priority fee, max fee, gas, to, value, data. `builder`
    is the VM's transaction builder (its typed-transaction class is what decoding gives).
    """
    chain_id, nonce, tip, max_fee, gas, to, value, data = fields
    numbers = [_int(n) for n in (chain_id, nonce, tip, max_fee, gas)]
    message = b"\x02" + rlp_encode([*numbers, to, _int(value), data, []])
    signature = PrivateKey(key).sign_recoverable(keccak(message), hasher=None)  # low s
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big")
    tx = builder.typed_transaction(2, DynamicFeeTransaction(*fields, [], signature[64], r, s))
    tx.__dict__["sender"] = sender
    return tx
