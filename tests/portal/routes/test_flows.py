"""/flows (the Sankey's table alternative) and /flows/events (the transactions behind an edge)."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from tests.portal.html import ZH, assert_no_injected_markup, one, soup, text
from tests.portal.scenario import PAYLOADS


def test_flows_table_has_every_edge_named(client: TestClient) -> None:
    page = soup(client.get("/flows"))
    assert_no_injected_markup(page)
    rows = {str(r["data-edge"]).split("|")[0]: r for r in page.select("#flows tbody tr")}
    assert set(rows) == {"gift", "spend", "in_kind", "bought", "ship", "hand_over"}
    assert [text(td) for td in rows["spend"].select("td")][1:4] == [
        "Purchases", "spent on purchases", "CN¥1,600.00",
    ]  # fmt: skip
    assert PAYLOADS["site"] in text(rows["in_kind"])
    chinese = soup(client.get("/flows", headers=ZH))
    assert text(chinese.select("#flows tbody tr td")[0]) == "捐赠人"
    pools = {text(td) for td in chinese.select("#flows tbody td") if "资金池" in text(td)}
    assert pools == {"CNY 资金池", "USD 资金池"}
    assert "pool" not in text(one(chinese, "#flows"))
    english = {text(td) for td in page.select("#flows tbody td") if "pool" in text(td)}
    assert english == {"CNY pool", "USD pool"}


def test_api_flows_name_pools_as_data(client: TestClient) -> None:
    nodes = client.get("/api/v1/flows").json()["data"]["nodes"]
    pool = next(n for n in nodes if n["kind"] == "pool" and n["currency"] == "CNY")
    assert pool["label"] == {"kind": "pool", "values": {"currency": "CNY"}}
    assert pool["name"] == "CNY pool"
    assert all(n["label"] is None for n in nodes if n["kind"] != "pool")


def test_overview_gives_the_chart_its_pool_names_in_chinese(client: TestClient) -> None:
    chart = one(soup(client.get("/", headers=ZH)), "#flows-chart")
    assert chart["data-sentence-pool"] == "%(currency)s 资金池"
    assert chart["data-sentence-pool_region"] == "%(currency)s 资金池，地区 %(region)s"  # noqa: RUF001
    assert chart["data-code-earmark_kind-purpose"] == "用途"


def test_an_edge_opens_the_transactions_behind_it(client: TestClient) -> None:
    page = soup(client.get("/flows"))
    ship = next(
        r for r in page.select("#flows tbody tr") if str(r["data-edge"]).startswith("ship|")
    )
    events = soup(client.get(str(one(ship, "a")["href"])))
    rows = events.select("#events tbody tr")
    assert [text(r.select("td")[1]) for r in rows] == ["Shipment dispatched"]
    assert str(one(rows[0], "a.hash")["href"]).startswith("/tx/0x")


def test_edge_events_as_csv_and_a_bad_edge_is_400(client: TestClient) -> None:
    edge = str(soup(client.get("/flows")).select("#flows tbody tr")[0]["data-edge"])
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/flows/events", params={"edge": edge, "format": "csv"}).text)
        )
    )
    assert rows and rows[0]["tx_hash"].startswith("0x")
    assert client.get("/flows/events", params={"edge": "nonsense"}).status_code == 400
    assert client.get("/flows/events", params={"edge": "x", "format": "csv"}).status_code == 400


def test_overview_chart_is_progressive_with_a_table_link(client: TestClient) -> None:
    page = soup(client.get("/"))
    chart = one(page, "#flows-chart")
    assert chart.has_attr("hidden") and chart["data-flows-url"] == "/api/v1/flows"
    assert page.select("section[aria-labelledby=flows-h] a[href='/flows']")
    assert_no_injected_markup(page)
