"""/gifts and /gifts/{id}: donors by short id unless named (as text), filters, detail, CSV."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from tests.portal.conftest import Indexed
from tests.portal.html import ZH, assert_no_injected_markup, one, soup, text
from tests.portal.scenario import PAYLOADS


def test_every_gift_listed_newest_first_donors_by_short_id(client: TestClient) -> None:
    page = soup(client.get("/gifts"))
    rows = page.select("#gifts tbody tr")
    assert [r["data-kind"] for r in rows] == ["in_kind", "money", "money", "money"]
    donors = [text(r.select("td")[0]) for r in rows]
    assert PAYLOADS["donor"] in donors
    assert all(len(d) == 8 for d in donors if d != PAYLOADS["donor"])
    assert_no_injected_markup(page)


def test_gifts_filtered_by_kind_and_currency(client: TestClient) -> None:
    amounts = [
        text(r.select("td")[1])
        for r in soup(client.get("/gifts?currency=CNY")).select("#gifts tbody tr")
    ]
    assert amounts == ["CN¥500.00", "CN¥1,500.00"]
    assert len(soup(client.get("/gifts?kind=in_kind")).select("#gifts tbody tr")) == 1


def test_gift_detail_shows_allocation_and_purchase_shares(
    client: TestClient, indexed: Indexed
) -> None:
    rows = soup(client.get("/gifts?currency=CNY")).select("#gifts tbody tr")
    g3 = str(rows[1]["data-gift"])
    page = soup(client.get(f"/gifts/{g3}"))
    assert text(one(page, "#allocations tbody tr").select("td")[0]) == "CN¥1,500.00"
    assert one(page, "#purchases tbody tr")
    zh = soup(client.get(f"/gifts/{g3}", headers=ZH))
    assert text(zh.select("#allocations thead th")[1]) == "来自本捐赠"


def test_unknown_gift_is_404(client: TestClient) -> None:
    assert client.get("/gifts/0x" + "12" * 32).status_code == 404


def test_gifts_csv_has_every_gift(client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/gifts?format=csv").text)))
    assert sorted(int(r["amount"]) for r in rows) == [200, 2_500, 50_000, 150_000]
