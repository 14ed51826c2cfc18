# ruff: noqa: RUF001  (Chinese text uses full-width punctuation, as it should)
"""Every clerk message matches an error the contracts can raise, with its argument names."""

from __future__ import annotations

import string

from ledger.chain.artifacts import combined_abi
from ledger.errors import InsufficientError
from ledger.write.messages import _BY_REASON, _TEXTS, _templates, explain

# Errors no clerk's write can meet: wiring of the deployment itself.
INTERNAL = {
    "AccessControlBadConfirmation",
    "AidRegistryLedgersAlreadyBound",
    "AidRegistryNotLedger",
    "AidRegistryZeroAddress",
    "FundLedgerNotSupplyLedger",
    "ExpectedPause",
}


def test_every_message_names_a_real_error_and_only_its_arguments() -> None:
    errors = {
        e["name"]: {p["name"] for p in e["inputs"]} for e in combined_abi() if e["type"] == "error"
    }
    for name, texts in _TEXTS.items():
        assert name in errors, f"{name} is not an error of the contracts"
        for text in texts:
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            assert fields <= errors[name], (name, fields - errors[name])


def test_unknown_ids_are_shown_short_and_amounts_grouped() -> None:
    error = InsufficientError(
        "x",
        "FundLedgerInsufficientPool",
        {"poolId": b"\xab" * 32, "available": 1200, "requested": 5000},
    )
    refusal = explain(error)
    assert refusal.en == (
        "Pool 0xabababab… has 1,200 (minor units, e.g. fen or cents) available; you tried to "
        "allocate 5,000 (minor units, e.g. fen or cents)."
    )
    assert refusal.text("zh-CN").startswith("资金池 0xabababab… 可用 1,200（最小货币单位，如分）")


def test_amounts_are_shown_in_the_writes_currency_when_it_names_one() -> None:
    error = InsufficientError(
        "x",
        "FundLedgerInsufficientPool",
        {"poolId": b"\xab" * 32, "available": 123_456, "requested": 500_000},
    )
    refusal = explain(error, currency="CNY")
    assert refusal.en == (
        "Pool 0xabababab… has 1,234.56 CNY available; you tried to allocate 5,000.00 CNY."
    )
    assert "可用 1,234.56 CNY" in refusal.zh
    shortage = InsufficientError(
        "x",
        "SupplyLedgerInsufficientStock",
        {"lotId": b"\x01" * 32, "available": 5, "requested": 9},
    )
    assert "holds 5; you tried to take 9" in explain(shortage, currency="CNY").en  # units


def test_every_refusal_a_clerk_can_meet_has_words_in_both_languages() -> None:
    names = {e["name"] for e in combined_abi() if e["type"] == "error"}
    assert sorted(n for n in names - INTERNAL if _templates(n) is None) == []
    for name in names:
        templates = _templates(name)
        fields = {p["name"] for e in combined_abi() if e.get("name") == name for p in e["inputs"]}
        for text in templates or ():
            used = {f for _, f, _, _ in string.Formatter().parse(text) if f} - {"id"}
            assert used <= fields, (name, used - fields)
    assert set(_BY_REASON)  # the table is used
