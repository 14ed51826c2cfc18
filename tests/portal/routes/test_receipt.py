"""POST /trace/receipt.pdf: the receipt as a PDF from the receipt page's form (code in the body,
CSRF token checked), in English and Chinese; a wrong code gets /trace's helpful answer."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from ledger.write.receipts import ReceiptCode
from portal.app import create_app
from portal.settings import Settings
from tests.portal.conftest import Indexed
from tests.portal.html import one, soup, text
from tests.portal.routes.test_trace import typo


def receipt_form(client: TestClient, code: str) -> dict[str, str]:
    """The receipt page's "Download PDF" form, as the donor's browser would post it."""
    page = soup(client.post("/trace", data={"code": code}))
    form = one(page, "#receipt form#receipt-pdf")
    assert form["method"] == "post" and form["action"] == "/trace/receipt.pdf"
    assert "code" not in str(form["action"])
    return {str(i["name"]): str(i["value"]) for i in form.select("input[type=hidden]")}


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def download(client: TestClient, code: str) -> bytes:
    response = client.post("/trace/receipt.pdf", data=receipt_form(client, code))
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith(b"%PDF-")
    return response.content


def test_receipt_pdf_in_english_holds_amount_gift_id_and_code(
    client: TestClient, indexed: Indexed
) -> None:
    code = str(indexed.scenario.codes["g3"])
    found = pdf_text(download(client, code))
    assert "Receipt for your gift" in found
    assert "CN¥1,500.00" in found
    assert code in found
    assert indexed.scenario.tx["g3"] in found
    assert gift_short_id(client, indexed, "g3") in found


def gift_short_id(client: TestClient, indexed: Indexed, name: str) -> str:
    """The gift's short id as /gifts shows it (the first 10 characters of its id)."""
    listing = soup(client.get("/gifts"))
    tx = indexed.scenario.tx[name]
    for row in listing.select("tr[data-gift]"):
        gift = str(row["data-gift"])
        detail = soup(client.get(f"/gifts/{gift}"))
        if any(str(a.get("href")) == f"/tx/{tx}" for a in detail.select("a")):
            return gift[:10]
    raise AssertionError(f"gift {name} not listed")


def test_receipt_pdf_in_chinese(client: TestClient, indexed: Indexed) -> None:
    client.cookies.set("lang", "zh-CN")
    found = pdf_text(download(client, str(indexed.scenario.codes["g4"])))
    assert "捐赠收据" in found
    assert "¥500.00" in found
    assert "收据编码" in found or "收据码" in found
    assert gift_short_id(client, indexed, "g4") in found


def test_in_kind_receipt_pdf(client: TestClient, indexed: Indexed) -> None:
    found = pdf_text(download(client, str(indexed.scenario.codes["in_kind"])))
    assert "200 units given in kind" in found


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (typo, "has a typo"),
        (lambda c: c[:-5], "has 32"),
        (lambda c: "", "not a receipt code"),
        (lambda c: str(ReceiptCode.new()), "No gift with this receipt code"),
    ],
    ids=["typo", "short", "empty", "unknown"],
)
def test_wrong_code_gets_the_trace_pages_answer(
    client: TestClient, indexed: Indexed, make: object, says: str
) -> None:
    assert callable(make)
    form = receipt_form(client, str(indexed.scenario.codes["g3"]))
    form["code"] = make(form["code"])
    response = client.post("/trace/receipt.pdf", data=form)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = soup(response)
    assert says in text(one(page, "#problem"))
    assert not page.select("#receipt")


def test_the_forms_cookie_is_only_sent_to_trace(client: TestClient, indexed: Indexed) -> None:
    response = client.post("/trace", data={"code": str(indexed.scenario.codes["g3"])})
    cookie = response.headers["set-cookie"]
    for attribute in ("csrf=", "HttpOnly", "Path=/trace", "SameSite=strict"):
        assert attribute in cookie, cookie
    again = client.post("/trace", data={"code": str(indexed.scenario.codes["g3"])})
    assert "set-cookie" not in again.headers  # the visitor keeps the one cookie


def test_without_the_forms_token_no_pdf(client: TestClient, indexed: Indexed) -> None:
    code = str(indexed.scenario.codes["g3"])
    form = receipt_form(client, code)
    for data in ({"code": code}, {"code": code, "csrf": form["csrf"][:-2] + "xx"}):
        response = client.post("/trace/receipt.pdf", data=data)
        assert response.status_code == 403
        assert "expired" in text(one(soup(response), "#problem"))
    client.cookies.clear()  # a page from another site cannot send the donor's cookie
    response = client.post("/trace/receipt.pdf", data=form)
    assert response.status_code == 403


def test_pdf_lookups_count_against_the_trace_limit(indexed: Indexed) -> None:
    settings = Settings(indexed.database_url, trace_per_minute=2)
    with TestClient(create_app(indexed.database_url, settings)) as client:
        form = receipt_form(client, str(indexed.scenario.codes["g3"]))
        assert client.post("/trace/receipt.pdf", data=form).status_code == 200
        assert client.post("/trace/receipt.pdf", data=form).status_code == 429
