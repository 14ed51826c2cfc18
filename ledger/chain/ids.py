"""Deterministic ids, donor commitments and codes: one source record always gives one id."""

from __future__ import annotations

import secrets

from eth_abi import encode
from eth_utils import keccak

from ledger.errors import AidLedgerValueError

ZERO32 = b"\x00" * 32


def derive_id(namespace: str, *parts: str | int | bytes) -> bytes:
    """keccak256 of the namespace and parts, so a retried write reuses its id."""
    payload = "\x1f".join(
        [namespace, *(p.hex() if isinstance(p, bytes) else str(p) for p in parts)]
    )
    return keccak(text=payload)


def label(text: str) -> bytes:
    """A bytes32 code for a short label, e.g. a category or purpose: keccak256(text)."""
    return keccak(text=text)


def new_salt() -> bytes:
    """A fresh 32-byte secret for a donor commitment; printed on the donor's receipt."""
    return secrets.token_bytes(32)


def donor_commitment(donor_reference: str, salt: bytes) -> bytes:
    """keccak256(abi.encode(salt, reference)): links a donor to a gift without revealing them."""
    if len(salt) != 32:
        raise AidLedgerValueError("a donor salt must be 32 bytes; generate one with new_salt()")
    return keccak(encode(["bytes32", "string"], [salt, donor_reference]))


def currency_code(code: str) -> bytes:
    """An ISO 4217 code as the contracts' bytes3, e.g. 'CNY' -> b'CNY'."""
    if len(code) != 3 or not code.isascii() or not code.isalpha() or not code.isupper():
        raise AidLedgerValueError(f"currency {code!r} is not an ISO 4217 code like 'CNY' or 'USD'")
    return code.encode("ascii")


def region_code(code: str) -> bytes:
    """An ISO 3166-2 style region code (up to 8 ASCII characters) as bytes8."""
    raw = code.encode("ascii", "strict") if code.isascii() else b""
    if not raw or len(raw) > 8:
        raise AidLedgerValueError(f"region {code!r} must be 1 to 8 ASCII characters, like 'CN-HB'")
    return raw.ljust(8, b"\x00")


def region_earmark(code: str) -> bytes:
    """The bytes32 earmark value of a region: bytes32(bytes8 region)."""
    return region_code(code).ljust(32, b"\x00")
