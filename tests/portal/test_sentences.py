"""The read layer's sentences in the visitor's language: every kind has a template whose
English is the read layer's own, renders in Chinese with no English words of its own, formats
numbers and money per locale, and escapes names from the chain."""

from __future__ import annotations

import re

import pytest

from ledger.queries import sentences as english
from ledger.queries.sentences import Code, Money, Sentence, Value
from portal.i18n import Formatter
from portal.sentences import CODE_WORDS, TEMPLATES, render, value_text
from tests.portal.scenario import DAMAGED_LINE

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
ZH = Formatter("zh_CN", "Asia/Shanghai")
EN = Formatter("en")
CODES = {
    "reason": Code("discrepancy_reason", "damaged"),
    "unit": Code("beneficiary_unit", "households"),
    "origin": Code("lot_origin", "receipt"),
    "earmark": Code("earmark_kind", "category"),
}
NUMBERS = {
    "line", "quantity", "received", "declared", "beneficiaries", "fulfilled", "lines",
    "from_block", "to_block", "seq",
}  # fmt: skip


def sample(kind: str) -> dict[str, Value]:
    """Values for every placeholder of `kind`: numbers, money, codes, and names marked `Q9`."""
    values: dict[str, Value] = {}
    for name in PLACEHOLDER.findall(TEMPLATES[kind]):
        if name == "amount":
            values[name] = Money(123_456, "CNY")
        elif name in CODES:
            values[name] = CODES[name]
        elif name in NUMBERS:
            values[name] = 12_345
        else:
            values[name] = f"Q9{len(values)}"
    return values


def test_the_portal_says_in_english_what_the_read_layer_says() -> None:
    assert TEMPLATES == english.TEMPLATES
    assert CODE_WORDS == english.CODE_WORDS
    for kind in TEMPLATES:
        sentence = Sentence(kind, sample(kind))
        rendered = str(render(sentence, EN))
        assert rendered == english.english(sentence).replace("CNY 1,234.56", "CN¥1,234.56")


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_every_kind_reads_in_chinese(kind: str) -> None:
    rendered = str(render(Sentence(kind, sample(kind)), ZH))
    assert rendered != english.TEMPLATES[kind]
    for word in re.findall(r"[A-Za-z][A-Za-z_-]+", rendered):
        assert re.fullmatch(r"Q9\d+", word), f"{kind}: English {word!r} in {rendered!r}"
    if "amount" in PLACEHOLDER.findall(TEMPLATES[kind]):
        assert "¥1,234.56" in rendered
    assert re.search(r"[\u4e00-\u9fff]", rendered), rendered


def test_chinese_renderings_of_the_trace_details() -> None:
    shipped = DAMAGED_LINE
    assert render(shipped, ZH) == "明细 0 从 wh_a 发往 hospital，950 中已签收 940（损坏 10）"  # noqa: RUF001
    handed = Sentence(
        "hand_over_for_need",
        {
            "quantity": 1_500,
            "beneficiaries": 250,
            "unit": Code("beneficiary_unit", "people"),
            "need": "N-37",
        },
    )
    assert render(handed, ZH) == "1,500 个单位发放给 250 人，用于需求 N-37"  # noqa: RUF001
    assert render(handed, EN) == "1,500 units to 250 people for need N-37"


def test_values_follow_the_locale() -> None:
    assert value_text(Money(2_500, "USD"), ZH) == "US$25.00"
    assert value_text(Money(500, "JPY"), EN) == "¥500"
    assert value_text(Money(5, ""), ZH) == "0.05"
    assert value_text(Code("adjustment_reason", "count_correction"), ZH) == "盘点更正"
    assert value_text(Code("lot_origin", "in_kind"), ZH) == "实物捐赠"
    assert value_text(Code("adjustment_reason", "new_reason"), ZH) == "new reason"


def test_names_from_the_chain_are_escaped() -> None:
    evil = '<script>alert("x")</script>'
    rendered = render(Sentence("organisation_registered", {"name": evil}), ZH)
    assert "<script>" not in rendered
    assert rendered == "机构 &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; 已登记"
    unknown = render(Sentence("new_kind", {"name": evil}), EN)
    assert "<script>" not in unknown and unknown.startswith("new_kind ")
