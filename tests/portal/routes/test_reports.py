"""/reports: the form offers every report format; a download is a ZIP of the report's files and
its manifest (the same files `aidledger report` makes); wrong input gets the form back with what
is wrong (400, never a 500), in either language; downloads are rate-limited."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from ledger.reports import manifest as manifests
from ledger.reports.formats import FORMATS
from ledger.store.db import upgrade
from portal.app import create_app
from portal.routes.reports import PUBLIC_FORMATS, this_year
from portal.settings import Settings
from tests.ledger.queries.test_status import AHEAD, mirror_with_blocks
from tests.portal.conftest import Indexed
from tests.portal.html import ZH, assert_no_injected_markup, one, soup, text

EVERYTHING = {"from": "2000-01-01", "to": "2999-12-31"}
STEM = "aidledger-report-2000-01-01-2999-12-31"


def unzip(body: bytes) -> dict[str, bytes]:
    """Every member of a ZIP by name."""
    with zipfile.ZipFile(io.BytesIO(body)) as packed:
        return {name: packed.read(name) for name in packed.namelist()}


def raw_event_count(indexed: Indexed) -> int:
    engine = create_engine(indexed.database_url)
    with engine.connect() as conn:
        count = int(conn.execute(sql("SELECT COUNT(*) FROM raw_events")).scalar_one())
    engine.dispose()
    return count


def test_form_offers_every_format_and_says_reports_are_public(client: TestClient) -> None:
    page = soup(client.get("/reports"))
    form = one(page, "form#report-form")
    assert form["method"] == "get" and form["action"] == "/reports/download"
    formats = [str(o["value"]) for o in form.select("select#format option")]
    assert formats == list(PUBLIC_FORMATS) == ["pdf", "disclosure", "iati", "fts"]
    assert not form.select("input#site")
    zones = [str(o["value"]) for o in form.select("select#tz option")]
    assert zones[:2] == ["UTC", "Asia/Shanghai"]
    assert str(one(form, "select#tz option[selected]")["value"]) == "UTC"
    for name in ("from", "to", "currency"):
        assert one(form, f"label[for={name}]") and one(form, f"input#{name}")["name"] == name
    assert "public on the chain" in text(one(page, "#public"))
    assert one(page, "#auditor-only a[href='/auditor']")
    assert "aidledger attest FILE" in text(page.select("main")[0])
    assert page.select("main a[href='/attestations']")


def test_public_subset_downloads_as_a_zip_with_its_manifest(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the route works
    params = {**EVERYTHING, "format": "fts", "tz": "Asia/Shanghai", "currency": "cny"}
    response = client.get("/reports/download", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    stem = f"{STEM}-CNY"
    assert response.headers["content-disposition"] == f'attachment; filename="{stem}-fts.zip"'
    assert response.headers["cache-control"] == "no-store"
    files = unzip(response.content)
    assert set(files) == {f"{stem}.json", f"{stem}.json.manifest.json"}
    manifest = orjson.loads(files[f"{stem}.json.manifest.json"])
    assert manifest["format"] == "fts" and manifest["filters"] == {"currency": "CNY"}
    assert manifest["period"]["tz"] == "Asia/Shanghai"
    for f in manifest["files"]:
        assert manifests.manifest_hash(files[f["name"]]) == f["sha256"]
    assert list(tmp_path.iterdir()) == []  # nothing left behind


@pytest.mark.parametrize("fmt", sorted(set(FORMATS) - set(PUBLIC_FORMATS)))
def test_the_journal_formats_are_for_auditors(client: TestClient, fmt: str) -> None:
    response = client.get("/reports/download", params={**EVERYTHING, "format": fmt})
    assert response.status_code == 403
    page = soup(response)
    assert f"The format {fmt} is for auditors" in text(one(page, "#problem"))
    assert one(page, "#problem a[href='/auditor']")


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"from": "2026-13-01", "to": "2026-03-31"}, "The first day 2026-13-01 is not a date"),
        ({"from": "2026-01-01", "to": "31/03/2026"}, "The last day 31/03/2026 is not a date"),
        ({"from": "2026-01-01"}, "Give the first and the last day of the period."),
        (
            {"from": "2026-03-31", "to": "2026-01-01"},
            "The period ends (2026-01-01) before it starts (2026-03-31)",
        ),
        ({**EVERYTHING, "format": "docx"}, "There is no report format docx"),
        ({**EVERYTHING, "format": "<b>x</b>"}, "There is no report format <b>x</b>"),
        ({**EVERYTHING, "tz": "Mars/Olympus"}, "Unknown time zone Mars/Olympus"),
        ({**EVERYTHING, "currency": "C$"}, "C$ is not a currency code"),
    ],
)
def test_wrong_input_gets_the_form_back_with_what_is_wrong(
    client: TestClient, params: dict[str, str], says: str
) -> None:
    response = client.get("/reports/download", params={"format": "pdf", **params})
    assert response.status_code == 400
    page = soup(response)
    assert_no_injected_markup(page)
    assert says in text(one(page, "#problem"))
    form = one(page, "form#report-form")  # filled in as it was sent
    assert one(form, "input#from").get("value", "") == params.get("from", "")
    assert one(form, "input#to").get("value", "") == params.get("to", "")


def test_reports_in_chinese(client: TestClient) -> None:
    page = soup(client.get("/reports", headers=ZH))
    assert text(one(page, "main h1")) == "报告"
    assert text(one(page, "label[for=from]")) == "起始日"
    assert text(one(page, "label[for=to]")) == "结束日"
    assert text(one(page, "label[for=tz]")) == "时区"
    assert "所有人都可以下载" in text(one(page, "#public"))
    nav = text(page.select("header nav")[0])
    assert "报告" in nav and "审计证明" in nav
    params = {"from": "2026-03-31", "to": "2026-01-01", "format": "pdf"}
    wrong = soup(client.get("/reports/download", params=params, headers=ZH))
    assert text(one(wrong, "#problem")).startswith("期间的结束日（2026-01-01）早于起始日")  # noqa: RUF001


def test_an_empty_mirror_has_nothing_to_report(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    upgrade(url)  # the tables, never indexed
    with TestClient(create_app(url)) as fresh:
        response = fresh.get("/reports/download", params={**EVERYTHING, "format": "pdf"})
    assert response.status_code == 400
    assert "no ledger events yet" in text(one(soup(response), "#problem"))


def test_no_mirror_tables_is_still_a_400(empty_client: TestClient) -> None:
    response = empty_client.get("/reports/download", params={**EVERYTHING, "format": "fts"})
    assert response.status_code == 400
    assert "no ledger events yet" in text(one(soup(response), "#problem"))


def test_downloads_are_rate_limited(indexed: Indexed) -> None:
    settings = Settings(indexed.database_url, reports_per_minute=1)
    params = {**EVERYTHING, "format": "fts"}
    with TestClient(create_app(indexed.database_url, settings)) as limited:
        assert limited.get("/reports/download", params=params).status_code == 200
        wrong = limited.get("/reports/download", params={**params, "format": "nope"})
        assert wrong.status_code == 400  # a refused form costs nothing
        again = limited.get("/reports/download", params=params)
    assert again.status_code == 429
    assert "Too many reports" in text(one(soup(again), "#problem"))


def test_the_page_says_when_charity_law_disclosures_fall_due(client: TestClient) -> None:
    page = soup(client.get("/reports"))
    section = text(one(page, "#disclosures"))
    assert section == "Charity Law disclosures"
    body = text(page.main)  # type: ignore[arg-type]
    assert "The campaign started on" in body  # the scenario's gifts are from today
    assert "periodic disclosures are due once it has run longer than six months" in body
    zh = text(soup(client.get("/reports", headers=ZH)).main)  # type: ignore[arg-type]
    assert "慈善法信息公开" in zh and "募捐活动始于" in zh


def test_the_form_reaches_the_newest_block_when_the_chain_runs_ahead(tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    ahead = datetime.now(UTC) + AHEAD
    with mirror_with_blocks(tmp_path, datetime(2026, 1, 2, tzinfo=UTC), ahead) as session:
        form = this_year("pdf", session)
    assert (form.first, form.last) == (f"{today.year}-01-01", ahead.date().isoformat())
