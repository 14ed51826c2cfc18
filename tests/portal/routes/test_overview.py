"""The overview over the scenario: each figure as written through the write service, in both
languages; chain names shown as text, never as markup."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.portal.conftest import Indexed
from tests.portal.html import ZH, assert_no_injected_markup, one, soup, text
from tests.portal.scenario import PAYLOADS


def minor(client: TestClient, currency: str) -> list[int]:
    row = one(soup(client.get("/")), f"#money tr[data-currency={currency}]")
    return [int(str(cell["data-minor"])) for cell in row.select("td")]


def test_money_received_allocated_spent_per_currency(client: TestClient) -> None:
    assert minor(client, "CNY") == [200_000, 200_000, 160_000]
    assert minor(client, "USD") == [2_500, 0, 0]


def test_goods_in_kind_bought_shipped_handed_over_per_item(
    client: TestClient, indexed: Indexed
) -> None:
    page = soup(client.get("/"))
    mask = one(page, f"#goods tr[data-item='0x{indexed.world.items['mask'].hex()}']")
    assert [int(str(td["data-units"])) for td in mask.select("td")] == [0, 1_000, 950, 500]
    evil = one(page, f"#goods tr[data-item='0x{indexed.scenario.ids['evil_item'].hex()}']")
    assert [int(str(td["data-units"])) for td in evil.select("td")] == [200, 0, 0, 0]


def test_needs_pledges_alerts_and_latest_events(client: TestClient) -> None:
    page = soup(client.get("/"))
    assert text(one(page, "#needs-met .figure")) == "0%"
    assert "Promised CN¥3,000.00, paid CN¥0.00, still to come CN¥3,000.00." in text(
        one(page, "#pledge-gap")
    )
    expiring = one(page, "#alerts .alert-expiring")
    assert "200 units on hand" in text(expiring)
    rows = page.select("#latest tbody tr")
    assert len(rows) == 10
    for row in rows:
        assert str(row.select("a")[0]["href"]).startswith("/tx/0x")


def test_overview_in_chinese(client: TestClient) -> None:
    page = soup(client.get("/", headers=ZH))
    assert text(one(page, "main h1")) == "善款和物资去了哪里"
    pledges = "认捐 ¥3,000.00\uff0c已到账 ¥0.00\uff0c尚待到账 ¥3,000.00。"
    assert pledges in text(one(page, "#pledge-gap"))
    assert "库存 200 个单位" in text(one(page, "#alerts .alert-expiring"))


def test_chain_names_are_escaped_text(client: TestClient) -> None:
    for headers in ({}, ZH):
        page = soup(client.get("/", headers=headers))
        assert_no_injected_markup(page)
        goods = text(one(page, "#goods"))
        assert PAYLOADS["item"] in goods
        assert PAYLOADS["site"] in text(one(page, "#alerts"))


def test_every_total_links_to_what_is_behind_it(client: TestClient) -> None:
    page = soup(client.get("/"))
    for cell in page.select("#money td, #goods td"):
        link = cell.find("a")
        assert link is not None, cell
        assert client.get(str(link["href"])).status_code == 200, link["href"]
