"""/sites and /sites/{id}: sites with stock, one site's stock by lot with expiry, CSV."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from tests.portal.conftest import Indexed
from tests.portal.html import ZH, assert_no_injected_markup, one, soup, text
from tests.portal.scenario import PAYLOADS


def test_sites_list_every_site_with_units_on_hand(client: TestClient, indexed: Indexed) -> None:
    page = soup(client.get("/sites"))
    rows = page.select("#sites tbody tr")
    assert len(rows) == 5  # four of the world, one with a payload for a name
    wh_a = one(page, f"#sites tr[data-site='0x{indexed.world.sites['wh_a'].hex()}']")
    assert text(wh_a.select("td")[-1]) == "45"  # 1,000 bought - 950 shipped - 5 expired
    assert_no_injected_markup(page)
    assert PAYLOADS["site"] in text(one(page, "#sites")) and PAYLOADS["org"] in text(page)


def test_sites_filtered_by_kind_and_region(client: TestClient) -> None:
    page = soup(client.get("/sites", params={"kind": "recipient", "region": "CN-HB"}))
    assert [text(r.th) for r in page.select("#sites tbody tr") if r.th] == ["hospital"]
    assert one(page, "select#kind option[selected]")["value"] == "recipient"


def test_site_stock_by_lot_with_expiry(client: TestClient, indexed: Indexed) -> None:
    site_id = "0x" + indexed.scenario.ids["evil_site"].hex()
    page = soup(client.get(f"/sites/{site_id}"))
    assert_no_injected_markup(page)
    assert text(one(page, "main h1")) == PAYLOADS["site"]
    lot = one(page, "#lots tbody tr")
    assert text(lot.select("td")[2]) == "200"
    assert text(one(lot, "td.expiry")) != "none"
    chinese = soup(client.get(f"/sites/{site_id}", headers=ZH))
    assert text(chinese.select("#lots thead th")[0]) == "批次"


def test_unknown_site_is_404(client: TestClient) -> None:
    assert client.get("/sites/0x" + "00" * 32).status_code == 404


def test_sites_csv_streams_every_row_with_formulas_defused(client: TestClient) -> None:
    response = client.get("/sites", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 5
    assert {"site_id", "name", "on_hand", "event_tx_hash"} <= set(rows[0])
    assert PAYLOADS["site"] in {r["name"] for r in rows}


def test_list_pages_by_keyset_cursor(client: TestClient) -> None:
    names: list[str] = []
    url: str | None = "/sites?limit=2"
    while url is not None:
        page = soup(client.get(url))
        names += [text(row.th) for row in page.select("#sites tbody tr") if row.th]
        link = page.select("a[rel=next]")
        url = str(link[0]["href"]) if link else None
        assert url is None or ("limit=2" in url and "cursor=" in url)
    assert len(names) == 5 == len(set(names))
    assert names == sorted(names)


def test_edited_cursor_is_a_400_page(client: TestClient) -> None:
    bad = client.get("/sites", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400
    assert "not valid" in text(one(soup(bad), "main .detail"))
    assert client.get("/sites", params={"limit": "0"}).status_code == 400
