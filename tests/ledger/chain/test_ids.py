"""Ids, commitments and codes."""

from __future__ import annotations

import pytest

from ledger.chain.ids import (
    currency_code,
    derive_id,
    donor_commitment,
    new_salt,
    region_code,
    region_earmark,
)
from ledger.errors import AidLedgerValueError


def test_derive_id_is_stable_and_distinguishes_parts() -> None:
    assert derive_id("gift", "bank-2020-02-01", 7) == derive_id("gift", "bank-2020-02-01", 7)
    assert derive_id("gift", "a", "b") != derive_id("gift", "ab")
    assert len(derive_id("x")) == 32


def test_donor_commitment_hides_donor_behind_salt() -> None:
    salt = new_salt()
    assert donor_commitment("Zhang San", salt) == donor_commitment("Zhang San", salt)
    assert donor_commitment("Zhang San", salt) != donor_commitment("Zhang San", new_salt())
    with pytest.raises(AidLedgerValueError, match="32 bytes"):
        donor_commitment("Zhang San", b"short")


@pytest.mark.parametrize("bad", ["cny", "CN", "CNYY", "C1Y", "元元元"])
def test_currency_code_rejects_non_iso_codes(bad: str) -> None:
    with pytest.raises(AidLedgerValueError, match="ISO 4217"):
        currency_code(bad)


def test_region_code_pads_to_eight_bytes() -> None:
    assert region_code("CN-HB") == b"CN-HB\x00\x00\x00"
    for bad in ("", "CN-HUBEI-X", "湖北"):
        with pytest.raises(AidLedgerValueError):
            region_code(bad)


def test_region_earmark_is_the_region_code_then_zeros_as_docs_indexer_says() -> None:
    assert "0x" + region_earmark("CN-HB").hex() == "0x434e2d4842" + "0" * 54
