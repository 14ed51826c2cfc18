"""/trace: a donor's receipt code gives the gift's steps, each with its transaction; any wrong
code gets a helpful answer (never a 500), and lookups are rate-limited."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from ledger.write.receipts import ReceiptCode
from portal.app import create_app
from portal.settings import Settings
from tests.portal.conftest import Indexed
from tests.portal.english import english_left
from tests.portal.html import ZH, assert_no_injected_markup, one, soup, text
from tests.portal.scenario import PAYLOADS


def traced(client: TestClient, code: str, headers: dict[str, str] | None = None) -> BeautifulSoup:
    response = client.post("/trace", data={"code": code}, headers=headers or {})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    return soup(response)


def test_form_posts_the_code_so_it_never_sits_in_a_url(client: TestClient) -> None:
    form = one(soup(client.get("/trace")), "main form")
    assert form["method"] == "post" and form["action"] == "/trace"
    assert one(form, "label[for=code]") and one(form, "input#code")["name"] == "code"


def test_money_gift_traced_step_by_step_with_transactions(
    client: TestClient, indexed: Indexed
) -> None:
    page = traced(client, str(indexed.scenario.codes["g3"]))
    steps = page.select("#trace li.step")
    kinds = [" ".join(str(c) for c in step["class"]).split("step-")[1] for step in steps]
    assert kinds[0] == "gift"
    assert {"allocation", "purchase", "lot", "flow"} <= set(kinds)
    assert text(one(steps[0], ".what")).startswith("CN¥1,500.00 received.")
    assert str(one(steps[0], ".at a")["href"]) == f"/tx/{indexed.scenario.tx['g3']}"
    for step in steps:
        assert str(one(step, ".at a")["href"]).startswith("/tx/0x")
    flows = " ".join(text(s) for s in page.select("#trace li.step-flow"))
    assert "shipped" in flows and "handed over" in flows


def test_trace_in_chinese(client: TestClient, indexed: Indexed) -> None:
    page = traced(client, str(indexed.scenario.codes["g3"]), ZH)
    assert text(one(page, "#trace h2")) == "您的捐赠变成了什么"
    assert text(page.select("#trace li.step .what")[0]).startswith("已收到 ¥1,500.00。")


def test_code_read_forgivingly(client: TestClient, indexed: Indexed) -> None:
    code = str(indexed.scenario.codes["g4"]).replace("-", " ").lower()
    page = traced(client, code)
    assert text(page.select("#trace li.step .what")[0]).startswith("CN¥500.00 received.")


def test_in_kind_gift_traced_and_names_escaped(client: TestClient, indexed: Indexed) -> None:
    page = traced(client, str(indexed.scenario.codes["in_kind"]))
    assert_no_injected_markup(page)
    lot = text(one(page, "#trace li.step-lot"))
    assert PAYLOADS["item"] in lot and PAYLOADS["site"] in lot


def test_named_donor_shown_as_text(client: TestClient, indexed: Indexed) -> None:
    page = traced(client, str(indexed.scenario.codes["named"]))
    assert_no_injected_markup(page)
    assert PAYLOADS["donor"] in text(one(page, "#trace li.step-gift"))


def typo(code: str) -> str:
    first = code[0]
    return ("1" if first != "1" else "2") + code[1:]


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (typo, "has a typo"),
        (lambda c: c[:-5], "has 32"),
        (lambda c: c.replace(c[0], "U", 1), "not a receipt code"),
        (lambda c: "", "not a receipt code"),
        (lambda c: "<script>alert(1)</script>", "not a receipt code"),
        (lambda c: str(ReceiptCode.new()), "No gift with this receipt code"),
    ],
    ids=["typo", "short", "letter-u", "empty", "markup", "unknown"],
)
def test_wrong_codes_get_a_helpful_answer(
    client: TestClient, indexed: Indexed, make: object, says: str
) -> None:
    assert callable(make)
    page = traced(client, make(str(indexed.scenario.codes["g3"])))
    assert says in text(one(page, "#problem"))
    assert not page.select("#trace")
    assert_no_injected_markup(page)


def test_wrong_code_in_chinese(client: TestClient) -> None:
    page = traced(client, typo(str(ReceiptCode.new())), ZH)
    assert "错字" in text(one(page, "#problem"))


def test_lookups_are_rate_limited_per_address(indexed: Indexed) -> None:
    settings = Settings(indexed.database_url, trace_per_minute=2)
    with TestClient(create_app(indexed.database_url, settings)) as client:
        answers = [client.post("/trace", data={"code": "x"}).status_code for _ in range(3)]
        assert answers == [200, 200, 429]
        assert "wait a minute" in text(one(soup(client.post("/trace", data={})), "#problem"))


def test_printable_receipt_with_the_codes_qr(client: TestClient, indexed: Indexed) -> None:
    code = indexed.scenario.codes["g4"]
    page = traced(client, str(code).lower())
    receipt = one(page, "#receipt")
    assert text(one(receipt, "#receipt-code")) == str(code)
    svg = one(receipt, "figure.qr svg")
    assert svg.find("path") is not None and not svg.find("script")
    zh = traced(client, str(code), ZH)
    assert text(one(zh, "#receipt-h")) == "收据"


def test_every_trace_reads_in_chinese_with_no_english_sentence_left(
    client: TestClient, indexed: Indexed
) -> None:
    details = []
    for code in indexed.scenario.codes.values():
        page = traced(client, str(code), ZH)
        assert_no_injected_markup(page)
        section = text(one(page, "#trace"))
        assert english_left(section) == [], section
        details += [text(d) for d in page.select("#trace li.step-flow .detail")]
        assert not page.select("#trace [lang=en]")
    assert "明细 0 从 wh_a 发往 hospital，950 中已签收 940（损坏 10）" in details  # noqa: RUF001
    assert any(d.startswith("500 个单位发放给 250 人，用于需求 N-") for d in details)  # noqa: RUF001
    assert "原因：已过期" in details  # noqa: RUF001


def test_english_trace_details_say_what_they_said(client: TestClient, indexed: Indexed) -> None:
    details = [
        text(d)
        for code in ("g3", "g4")
        for d in traced(client, str(indexed.scenario.codes[code])).select("#trace .detail")
    ]
    assert "line 0 from wh_a to hospital, 940 of 950 received (10 damaged)" in details
    assert any(d.startswith("500 units to 250 people for need N-") for d in details)
    assert "reason: expired" in details


def test_api_trace_gives_each_detail_as_data(client: TestClient, indexed: Indexed) -> None:
    body = client.post("/api/v1/trace", json={"code": str(indexed.scenario.codes["g3"])}).json()
    shipped, handed = body["flows"]
    assert shipped["detail"] == {
        "kind": "line_received_short",
        "values": {
            "line": 0,
            "from_site": "wh_a",
            "to_site": "hospital",
            "received": 940,
            "quantity": 950,
            "declared": 10,
            "reason": {"enum": "discrepancy_reason", "code": "damaged"},
        },
    }
    assert handed["detail"]["kind"] == "hand_over_for_need"
    assert handed["detail"]["values"]["unit"] == {"enum": "beneficiary_unit", "code": "people"}
    assert [lot["origin"] for lot in body["lots"]] == ["purchase", "receipt"]
