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
    assert refusal.en == "Pool 0xabababab… has 1,200 available; you tried to allocate 5,000."
    assert refusal.text("zh-CN").startswith("资金池 0xabababab… 可用 1,200")


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
