"""FTS-shaped flows: read back, totals equal to the JSON report's journal, pledges kept out of
the paid totals, chain text as given."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from ledger.chain.currencies import exponent
from ledger.reports.formats.fts_format import write as write_fts
from tests.ledger.reports import synthetic
from tests.ledger.reports.conftest import Reported
from tests.portal.scenario import PAYLOADS

STATUS = {
    "GiftRecorded": ("paid", "incoming"),
    "PledgeRecorded": ("pledge", "incoming"),
    "FundsAllocated": ("commitment", "outgoing"),
    "AllocationReleased": ("commitment", "outgoing"),
    "AllocationSpent": ("paid", "outgoing"),
}


def _major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


def _sums(rows: list[Any]) -> tuple[dict[Any, Decimal], dict[str, Decimal]]:
    """(currency, status, boundary) -> amount, and currency -> pledged, from journal rows."""
    flows: dict[Any, Decimal] = defaultdict(Decimal)
    pledges: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        if r[6] not in STATUS:
            continue
        amount = _major(r[10], r[9]) * (-1 if r[6] == "AllocationReleased" else 1)
        if r[6] == "PledgeRecorded":
            pledges[r[9]] += amount
        else:
            flows[(r[9], *STATUS[r[6]])] += amount
    return dict(flows), dict(pledges)


def _read(doc: dict[str, Any]) -> tuple[dict[Any, Decimal], dict[str, Decimal]]:
    flows = {
        (currency, status, boundary): Decimal(v["amount"])
        for currency, statuses in doc["totals"].items()
        for status, boundaries in statuses.items()
        for boundary, v in boundaries.items()
    }
    pledges = {c: Decimal(v["amount"]) for c, v in doc["pledgeTotals"].items()}
    return flows, pledges


def test_totals_equal_the_journal_and_pledges_stay_out(reported: Reported, tmp_path: Path) -> None:
    rows = orjson.loads(reported.report("json", tmp_path / "r.json").files[0].read_bytes())
    rows = rows["journal"]["rows"]
    made = reported.report("fts", tmp_path / "f.json")
    doc = orjson.loads(made.files[0].read_bytes())
    assert _read(doc) == _sums(rows)
    assert all("pledge" not in statuses for statuses in doc["totals"].values())
    assert doc["totals"]["CNY"]["paid"]["incoming"] == {"amount": "2000.00", "flows": 2}
    assert doc["pledgeTotals"] == {"CNY": {"amount": "3000.00", "flows": 1}}
    assert made.manifest["format"] == "fts"


def test_every_money_row_is_one_flow(reported: Reported, tmp_path: Path) -> None:
    rows = orjson.loads(reported.report("json", tmp_path / "r.json").files[0].read_bytes())
    by_seq = {r[0]: r for r in rows["journal"]["rows"]}
    doc = orjson.loads(reported.report("fts", tmp_path / "f.json").files[0].read_bytes())
    flows = doc["flows"]
    assert [f["seq"] for f in flows] == [s for s, r in by_seq.items() if r[6] in STATUS]
    for f in flows:
        r = by_seq[f["seq"]]
        assert (f["status"], f["boundary"]) == STATUS[r[6]]
        assert f["event"] == r[6] and f["txHash"] == r[3] and f["id"] == f"{r[3]}:{r[4]}"
        assert Decimal(f["amountOriginal"]) == _major(r[10], r[9])
        assert f["originalCurrency"] == r[9] and f["date"] == r[2][:10]
        assert f["flowType"] == "Standard"


def test_sources_and_destinations(reported: Reported, tmp_path: Path) -> None:
    doc = orjson.loads(reported.report("fts", tmp_path / "f.json").files[0].read_bytes())
    us = doc["publisher"]["name"]
    flows = {f["event"]: f for f in doc["flows"]}
    donors = [f["sourceOrganization"] for f in doc["flows"] if f["event"] == "GiftRecorded"]
    assert sorted(donors) == sorted([PAYLOADS["donor"], "Anonymous donor", "Anonymous donor"])
    assert flows["PledgeRecorded"]["destinationOrganization"] == us
    assert flows["AllocationSpent"]["sourceOrganization"] == us
    assert flows["AllocationSpent"]["destinationOrganization"] == "Huabei Medical Supply"
    assert all(len(f["sourceRef"]) == 8 for f in doc["flows"] if f["boundary"] == "incoming")


def test_the_same_report_is_the_same_bytes(reported: Reported, tmp_path: Path) -> None:
    one = reported.report("fts", tmp_path / "a.json").files[0].read_bytes()
    assert reported.report("fts", tmp_path / "b.json").files[0].read_bytes() == one


def test_releases_reduce_commitments_and_needs_name_the_site(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    write_fts(synthetic.report(), path, lambda: {})
    doc = orjson.loads(path.read_bytes())
    assert doc["totals"]["CNY"]["commitment"]["outgoing"] == {"amount": "676.55", "flows": 3}
    assert doc["pledgeTotals"] == {"JPY": {"amount": "5000", "flows": 1}}
    for_need = next(f for f in doc["flows"] if f["destinationSite"])
    assert (for_need["destinationOrganization"], for_need["destinationSite"]) == (
        "City Hospital",
        "Ward 3",
    )
    spent = next(f for f in doc["flows"] if f["event"] == "AllocationSpent")
    assert spent["destinationOrganization"] == synthetic.SUPPLIER_NAME  # as the chain has it
    assert spent["date"] == "2026-01-02"  # 20:00 UTC is the next day in Asia/Shanghai
