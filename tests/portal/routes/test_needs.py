"""/needs: open and met needs, by status, region and date posted, and as CSV."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from tests.portal.html import ZH, one, soup, text


def test_need_shown_with_asked_and_handed_over(client: TestClient) -> None:
    row = one(soup(client.get("/needs")), "#needs tbody tr")
    cells = [text(td) for td in row.select("td")]
    assert cells[:6] == ["hospital", "CN-HB", "mask", "600", "500", "Open"]
    assert row["data-status"] == "open"


def test_needs_by_status(client: TestClient) -> None:
    assert len(soup(client.get("/needs?status=open")).select("#needs tbody tr")) == 1
    assert not soup(client.get("/needs?status=met")).select("#needs tbody tr")


def test_needs_by_date_posted(client: TestClient) -> None:
    assert len(soup(client.get("/needs?since=2000-01-01")).select("#needs tbody tr")) == 1
    assert not soup(client.get("/needs?until=2000-01-01")).select("#needs tbody tr")
    wrong = client.get("/needs?since=yesterday")
    assert wrong.status_code == 400
    assert "YYYY-MM-DD" in text(one(soup(wrong), ".detail"))


def test_needs_in_chinese(client: TestClient) -> None:
    row = one(soup(client.get("/needs", headers=ZH)), "#needs tbody tr")
    assert text(row.select("td")[5]) == "未满足"


def test_needs_csv(client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/needs?format=csv").text)))
    assert [(r["quantity"], r["fulfilled"], r["status"]) for r in rows] == [("600", "500", "open")]
