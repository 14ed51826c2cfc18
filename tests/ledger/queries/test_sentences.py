"""Sentences as data: enum codes, and the English the CLI and the API's `summary` show."""

from __future__ import annotations

import re
from dataclasses import asdict

from ledger.chain.types import AdjustmentReason, BeneficiaryUnit, DiscrepancyReason, LotOrigin
from ledger.queries.sentences import (
    CODE_WORDS,
    ENUMS,
    TEMPLATES,
    Code,
    Money,
    Sentence,
    code,
    english,
    english_value,
    money,
)

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_enum_values_become_stable_codes() -> None:
    assert code("discrepancy_reason", DiscrepancyReason.DAMAGED) == Code(
        "discrepancy_reason", "damaged"
    )
    assert code("adjustment_reason", AdjustmentReason.COUNT_CORRECTION).code == "count_correction"
    assert code("beneficiary_unit", BeneficiaryUnit.HOUSEHOLDS).code == "households"
    assert [code("lot_origin", o).code for o in LotOrigin] == [
        "other", "in_kind", "purchase", "receipt",
    ]  # fmt: skip
    assert code("discrepancy_reason", 99) == Code("discrepancy_reason", "99")


def test_every_code_of_every_enum_has_english_words() -> None:
    for enum, kind in ENUMS.items():
        for member in kind:
            if member.value:  # NONE is never said
                assert (enum, code(enum, member.value).code) in CODE_WORDS


def test_values_in_english() -> None:
    assert english_value(Money(123_456, "CNY")) == "CNY 1,234.56"
    assert english_value(Money(5, "")) == "0.05"
    assert english_value(12_345) == "12,345"
    assert english_value(Code("lot_origin", "in_kind")) == "in-kind gift"
    assert english_value(Code("adjustment_reason", "new_reason")) == "new reason"
    assert english_value("<b>name</b>") == "<b>name</b>"  # escaping is the portal's


def test_sentences_in_english() -> None:
    hand = Sentence(
        "hand_over_for_need",
        {
            "quantity": 500,
            "beneficiaries": 1_250,
            "unit": Code("beneficiary_unit", "households"),
            "need": "N-37",
        },
    )
    assert english(hand) == "500 units to 1,250 households for need N-37"
    gift = Sentence("gift_received", {"amount": Money(2_000, "CNY"), "donor": "5c1e2a9f"})
    assert english(gift) == "Gift of CNY 20.00 received (donor 5c1e2a9f)"
    assert english(Sentence("ledger_paused", {})) == "Ledger paused"
    assert english(Sentence("new_kind", {"n": 3, "lot": "L-1"})) == "new_kind 3 L-1"


def test_as_json_a_sentence_keeps_its_types() -> None:
    sentence = Sentence("pledge_recorded", {"amount": Money(300_000, "CNY")})
    assert asdict(sentence) == {
        "kind": "pledge_recorded",
        "values": {"amount": {"minor": 300_000, "currency": "CNY"}},
    }


def test_every_template_uses_named_placeholders_only() -> None:
    for kind, template in TEMPLATES.items():
        assert template.count("%") == len(PLACEHOLDER.findall(template)), kind


def test_money_in_english_uses_the_currency_digits() -> None:
    assert money("CNY", 123456) == "CNY 1,234.56"
    assert money("JPY", 1234) == "JPY 1,234"
    assert money("KWD", 12345) == "KWD 12.345"
    assert money("USD", -5) == "USD -0.05"
