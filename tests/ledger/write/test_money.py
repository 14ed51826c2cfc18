"""Amounts as typed -> integer minor units, in both decimal conventions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import AidLedgerValueError
from ledger.write.money import format_amount, parse_amount


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("100", "CNY", 10_000),
        ("1,234.56", "CNY", 123_456),
        ("1.234,56", "EUR", 123_456),
        ("1 234,56", "EUR", 123_456),
        ("1,234", "USD", 123_400),
        ("12,5", "EUR", 1_250),
        ("1,234,567.8", "HKD", 123_456_780),
        ("5000", "JPY", 5_000),
        ("0.01", "CNY", 1),
        ("12.345", "KWD", 12_345),  # a lone dot is decimal, in a three-decimal currency too
        ("1.234.567", "EUR", 123_456_700),
    ],
)
def test_amounts_in_either_convention(text: str, currency: str, minor: int) -> None:
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "not a number"),
        ("abc", "not a number"),
        ("1.5", "more decimals"),
        ("0", "more than zero"),
        ("-5", "not a number"),
        ("1,2,3", "grouped by three"),
        ("12.345", "a dot is the decimal mark: for thousands write 12345"),  # not 12,345 CNY
        ("0.001", "more decimals"),  # not 1 CNY
        ("0,001", "cannot follow a leading 0"),
    ],
)
def test_bad_amounts_say_what_is_wrong(text: str, problem: str) -> None:
    currency = "JPY" if text == "1.5" else "CNY"
    with pytest.raises(AidLedgerValueError, match=problem):
        parse_amount(text, currency)


@given(st.integers(min_value=1, max_value=10**15))
def test_formatted_amounts_parse_back(minor: int) -> None:
    text = format_amount(minor, "CNY").removesuffix(" CNY")
    assert parse_amount(text, "CNY") == minor
