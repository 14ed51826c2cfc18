"""The IATI 2.03 export: valid against the vendored schema, every money event of the JSON report
a transaction with its type, amount and currency, goods as results, chain text as text."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import orjson
import pytest
from lxml import etree

from ledger.chain.currencies import exponent
from ledger.reports.build import Period
from ledger.reports.formats.iati_format import SCHEMA_PATH, schema
from ledger.reports.formats.iati_format import write as write_iati
from ledger.reports.formats.publisher import NAME_ENV, ORG_ENV
from tests.ledger.reports import synthetic
from tests.ledger.reports.conftest import Reported
from tests.portal.scenario import PAYLOADS

TYPE_OF = {
    "GiftRecorded": "1",
    "PledgeRecorded": "11",
    "FundsAllocated": "2",
    "AllocationSpent": "4",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _valid(path: Path) -> etree._Element:
    """The file's root, once the schema accepts it."""
    doc = etree.parse(str(path))
    checker = schema()
    assert checker.validate(doc), checker.error_log
    return doc.getroot()


def _one(doc: etree._Element, path: str) -> etree._Element:
    found = doc.find(path)
    assert found is not None, path
    return found


def _major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


def _transactions(doc: etree._Element) -> dict[str, tuple[str, Decimal, str, str]]:
    """ref -> (type code, value, currency, value-date)."""
    out = {}
    for t in doc.iter("transaction"):
        value = t.find("value")
        kind = t.find("transaction-type")
        assert value is not None and kind is not None and value.text is not None
        out[t.get("ref", "")] = (
            kind.get("code", ""),
            Decimal(value.text),
            value.get("currency", ""),
            value.get("value-date", ""),
        )
    return out


def _narratives(doc: etree._Element, path: str) -> list[str]:
    return [n.text or "" for n in doc.iterfind(f"{path}/narrative")]


def test_the_schema_is_the_vendored_2_03_with_its_licence() -> None:
    main = etree.parse(str(SCHEMA_PATH / "iati-activities-schema.xsd")).getroot()
    assert main.get("version") == "2.03"
    assert {"iati-common.xsd", "xml.xsd", "LICENSE", "README.md"} <= {
        p.name for p in SCHEMA_PATH.iterdir()
    }


def test_the_scenario_is_a_valid_iati_activity(reported: Reported, tmp_path: Path) -> None:
    made = reported.report("iati", tmp_path / "r.xml")
    doc = _valid(made.files[0])
    activity = doc[0]
    assert doc.get("version") == "2.03"
    assert activity.get("humanitarian") == "1" and activity.get(XML_LANG) == "en"
    chain = made.manifest["chain_id"]
    assert _one(doc, ".//reporting-org").get("ref") == f"XM-AIDLEDGER-{chain}"
    identifier = doc.findtext(".//iati-identifier") or ""
    assert identifier.startswith(f"XM-AIDLEDGER-{chain}-0x")
    assert len(_narratives(doc, "iati-activity/title")) == 2
    langs = [n.get(XML_LANG) for n in doc.iterfind("iati-activity/description/narrative")]
    assert langs == [None, "zh"]
    assert made.manifest["format"] == "iati"


def test_every_money_row_is_a_transaction_of_its_type_amount_and_currency(
    reported: Reported, tmp_path: Path
) -> None:
    rows = orjson.loads(reported.report("json", tmp_path / "r.json").files[0].read_bytes())
    rows = rows["journal"]["rows"]
    doc = _valid(reported.report("iati", tmp_path / "r.xml").files[0])
    transactions = _transactions(doc)
    expected = {
        f"{r[3]}:{r[4]}": (TYPE_OF[r[6]], _major(r[10], r[9]), r[9], r[2][:10])
        for r in rows
        if r[6] in TYPE_OF
    }
    assert len(expected) == 6  # 3 gifts, a pledge, an allocation, a purchase
    assert transactions == expected  # and nothing else: PurchaseRecorded is the same money
    supplier = {orjson.loads(r[15])["supplierId"] for r in rows if r[6] == "PurchaseRecorded"}
    names = {
        orjson.loads(r[15])["orgId"]: orjson.loads(r[15])["name"]
        for r in rows
        if r[6] == "OrganisationRegistered"
    }
    assert _narratives(doc, ".//transaction/receiver-org") == [names[s] for s in supplier]


def test_donors_are_named_only_by_their_public_name(reported: Reported, tmp_path: Path) -> None:
    doc = _valid(reported.report("iati", tmp_path / "r.xml").files[0])
    donors = _narratives(doc, ".//transaction/provider-org")
    assert sorted(donors) == sorted([PAYLOADS["donor"], *["Anonymous donor"] * 3])
    refs = [p.get("ref", "") for p in doc.iterfind(".//provider-org")]
    assert all(len(r) == 8 and int(r, 16) >= 0 for r in refs)


def test_chain_text_stays_text(reported: Reported, tmp_path: Path) -> None:
    path = reported.report("iati", tmp_path / "r.xml").files[0]
    doc = _valid(path)
    implementers = _narratives(doc, ".//participating-org[@role='4']")
    assert PAYLOADS["org"] in implementers  # its warehouse took the in-kind gift
    assert "Jinyintan Hospital" in implementers
    assert doc.find(".//script") is None and doc.find(".//td") is None
    raw = path.read_text(encoding="utf-8")
    assert "<script>" not in raw and '&lt;script&gt;alert("org")&lt;/script&gt;' in raw


def test_goods_are_results_not_transactions(reported: Reported, tmp_path: Path) -> None:
    doc = _valid(reported.report("iati", tmp_path / "r.xml").files[0])
    indicators = {
        i.findtext("title/narrative"): _one(i, "period/actual").get("value")
        for i in doc.iterfind(".//result/indicator")
    }
    assert indicators == {"mask (piece) handed over": "500", "People reached": "250"}
    assert _one(doc, ".//result").get("type") == "1"  # output


def test_an_empty_period_is_a_valid_activity(reported: Reported, tmp_path: Path) -> None:
    before = Period(date(2000, 1, 1), date(2000, 1, 31))
    doc = _valid(reported.report("iati", tmp_path / "r.xml", before).files[0])
    assert doc.find(".//transaction") is None and doc.find(".//result") is None
    planned = _one(doc, ".//activity-date")
    assert planned.get("type") == "1" and planned.get("iso-date") == "2000-01-01"
    assert doc[0].get("last-updated-datetime") is None


def test_a_period_after_everything_keeps_the_operation_start(
    reported: Reported, tmp_path: Path
) -> None:
    after = Period(date(2999, 1, 1), date(2999, 1, 31))
    doc = _valid(reported.report("iati", tmp_path / "r.xml", after).files[0])
    assert doc.find(".//transaction") is None
    started = _one(doc, ".//activity-date")
    assert started.get("type") == "2"
    assert (started.get("iso-date") or "") < "2999-01-01"


def test_the_same_report_is_the_same_bytes(reported: Reported, tmp_path: Path) -> None:
    one = reported.report("iati", tmp_path / "a" / "r.xml").files[0].read_bytes()
    two = reported.report("iati", tmp_path / "b" / "r.xml").files[0].read_bytes()
    assert one == two
    assert not list((tmp_path / "a").glob("*.transactions"))  # the scratch file is gone


def test_the_publisher_is_configured_by_environment(
    reported: Reported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ORG_ENV, "CN-USC-123")
    monkeypatch.setenv(NAME_ENV, "武汉救援联盟")
    doc = _valid(reported.report("iati", tmp_path / "r.xml").files[0])
    assert _one(doc, ".//reporting-org").get("ref") == "CN-USC-123"
    assert _narratives(doc, ".//reporting-org") == ["武汉救援联盟"]
    assert (doc.findtext(".//iati-identifier") or "").startswith("CN-USC-123-0x")


def _synthetic(tmp_path: Path, tz: str = "Asia/Shanghai") -> etree._Element:
    path = tmp_path / f"{tz.replace('/', '-')}.xml"
    write_iati(synthetic.report(tz=tz), path, lambda: {})
    return _valid(path)


def test_releases_allocations_and_purchases_from_a_written_history(tmp_path: Path) -> None:
    doc = _synthetic(tmp_path)
    rows = [
        (
            _one(t, "transaction-type").get("code"),
            t.findtext("value"),
            t.findtext("receiver-org/narrative"),
        )
        for t in doc.iterfind(".//transaction")
    ]
    assert ("2", "300.00", "City Hospital") in rows  # for a need: the site's organisation
    assert ("2", "500.00", None) in rows  # for a purpose: no receiver
    assert ("2", "-123.45", None) in rows  # a release takes back part of a commitment
    assert ("4", "400.00", synthetic.SUPPLIER_NAME[:-1] + "\ufffd") in rows
    assert ("11", "5000", None) in rows  # JPY has no minor unit


def test_text_xml_cannot_carry_is_replaced_not_fatal(tmp_path: Path) -> None:
    donors = _narratives(_synthetic(tmp_path), ".//provider-org")
    assert "Li\ufffd Wei" in donors


def test_dates_are_the_blocks_day_in_the_reports_time_zone(tmp_path: Path) -> None:
    def pledge_day(tz: str) -> str:  # the pledge was made at 20:00 UTC on 1 January
        (day,) = [t[3] for t in _transactions(_synthetic(tmp_path, tz)).values() if t[0] == "11"]
        return day

    assert pledge_day("Asia/Shanghai") == "2026-01-02"
    assert pledge_day("UTC") == "2026-01-01"
