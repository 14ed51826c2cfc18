"""The report's content against the mirror: the journal is every event, the balances reconcile,
period edges, filters, rates, and CSV/JSON read back equal."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import text

from ledger.reports.build import Period, ReportInputError, parse_day, resolve
from ledger.reports.formats.csv_format import ENCODING, table_path
from ledger.reports.formats.safe import safe, unsafe
from ledger.reports.produce import ReportFormatError, produce
from ledger.reports.rates import RatesFileError, load_rates
from ledger.store.db import make_engine, upgrade
from tests.ledger.reports.conftest import Reported


def _json(path: Path) -> Any:
    return orjson.loads(path.read_bytes())


def _journal(doc: Any) -> Any:
    return doc["journal"]["rows"]


def _tables(doc: Any) -> Any:
    return doc["tables"]


def test_the_journal_is_every_event_of_the_mirror_in_order(
    reported: Reported, tmp_path: Path
) -> None:
    made = reported.report("json", tmp_path / "r.json")
    rows = _journal(_json(made.files[0]))
    with reported.engine.connect() as conn:
        raw = conn.execute(
            text("SELECT seq, tx_hash, log_index, name FROM raw_events ORDER BY seq")
        )
        expected = [tuple(r) for r in raw]
    assert [(r[0], r[3], r[4], r[6]) for r in rows] == expected
    assert made.manifest["tables"]["journal"]["rows"] == len(expected)
    assert made.manifest["first_seq"] == 1 and made.manifest["last_seq"] == len(expected)


def test_balances_reconcile_and_equal_the_mirror(reported: Reported, tmp_path: Path) -> None:
    tables = _tables(_json(reported.report("json", tmp_path / "r.json").files[0]))
    money = tables["money_reconciliation"]["rows"]
    goods = tables["goods_reconciliation"]["rows"]
    assert money and goods
    assert all(r[-1] == 0 for r in money), money
    assert all(r[-1] == 0 for r in goods), goods
    with reported.engine.connect() as conn:
        pools = {
            r[0]: (r[1], r[2])
            for r in conn.execute(text("SELECT pool_id, received, allocated FROM pools"))
        }
        lots: dict[str, int] = dict(conn.execute(text("SELECT lot_id, on_hand FROM lots")).all())
    for r in tables["pools"]["rows"]:
        received, allocated = pools[r[0]]
        assert r[6] == received  # received in the period = everything, from an empty start
        assert r[10] + r[11] == received - (r[9])  # unallocated + committed = received - spent
        assert r[7] - r[8] == allocated  # net allocated
    for r in tables["lots"]["rows"]:
        assert r[-1] == lots[r[2]]


def test_a_period_before_everything_is_empty_and_opens_at_zero(
    reported: Reported, tmp_path: Path
) -> None:
    made = produce(
        reported.engine, Period(date(2001, 1, 1), date(2001, 12, 31)), "json", tmp_path / "e.json"
    )
    doc = _json(made.files[0])
    assert _journal(doc) == []
    assert made.manifest["first_seq"] == made.manifest["last_seq"] + 1 == 1
    assert all(not t["rows"] or t is None for n, t in _tables(doc).items() if n != "pledges")


def test_a_period_after_everything_opens_with_the_closing_balances(
    reported: Reported, tmp_path: Path
) -> None:
    whole = _tables(_json(reported.report("json", tmp_path / "all.json").files[0]))
    later = Period(date(2990, 1, 1), date(2990, 1, 31))
    made = produce(reported.engine, later, "json", tmp_path / "later.json")
    tables = _tables(_json(made.files[0]))
    assert _journal(_json(made.files[0])) == []
    for before, after in zip(
        whole["money_reconciliation"]["rows"],
        tables["money_reconciliation"]["rows"],
        strict=True,
    ):
        assert after[1] == after[4] == before[4]  # opening = closing = the earlier closing
        assert after[2] == after[3] == 0
    assert made.manifest["complete"] is False


def test_a_split_period_chains_closing_into_opening(reported: Reported, tmp_path: Path) -> None:
    with reported.engine.connect() as conn:
        times = [t for (t,) in conn.execute(text("SELECT timestamp FROM blocks ORDER BY number"))]
    middle = datetime.fromtimestamp(times[len(times) // 2], UTC).date()
    first = produce(
        reported.engine,
        Period(date(2000, 1, 1), middle - timedelta(days=1)),
        "json",
        tmp_path / "a.json",
    )
    second = produce(reported.engine, Period(middle, date(2999, 1, 1)), "json", tmp_path / "b.json")
    a, b = _json(first.files[0]), _json(second.files[0])
    assert len(_journal(a)) + len(_journal(b)) == len(
        _journal(_json(reported.report("json", tmp_path / "c.json").files[0]))
    )
    closing = {r[0]: r[4] for r in _tables(a)["money_reconciliation"]["rows"]}
    for r in _tables(b)["money_reconciliation"]["rows"]:
        assert r[1] == closing.get(r[0], 0)


def test_csv_reads_back_equal_to_json(reported: Reported, tmp_path: Path) -> None:
    as_json = _json(reported.report("json", tmp_path / "r.json").files[0])
    made = reported.report("csv", tmp_path / "r.csv")
    with made.files[0].open(encoding=ENCODING, newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == tuple(as_json["journal"]["columns"])
    assert [[str(v) for v in r] for r in _journal(as_json)] == [
        [unsafe(v) for v in r] for r in rows[1:]
    ]
    for name, table in _tables(as_json).items():
        with table_path(made.files[0], name).open(encoding=ENCODING, newline="") as f:
            got = list(csv.reader(f))
        assert got[0] == table["columns"]
        assert [[unsafe(v) for v in r] for r in got[1:]] == [
            [str(v) for v in r] for r in table["rows"]
        ]
    assert {p.name for p in made.files} == {"r.csv", *(f"r.{n}.csv" for n in _tables(as_json))}


def test_formula_like_text_is_escaped_and_comes_back() -> None:
    for text_ in ("=1+2", "+cmd", "-2+3", "@SUM(A1)", "\tx", "'=quoted"):
        assert safe(text_).startswith("'")
        assert unsafe(safe(text_)) == text_
    assert safe(-5) == -5 and safe("plain") == "plain" and safe(None) == ""


def test_a_currency_filter_keeps_only_that_money(reported: Reported, tmp_path: Path) -> None:
    made = produce(
        reported.engine,
        Period(date(2000, 1, 1), date(2999, 1, 1)),
        "json",
        tmp_path / "c.json",
        {"currency": "USD"},
    )
    doc = _json(made.files[0])
    rows = _journal(doc)
    assert rows and {r[9] for r in rows} == {"USD"}
    assert {r[0] for r in _tables(doc)["money_reconciliation"]["rows"]} == {"USD"}
    assert made.manifest["filters"] == {"currency": "USD"}


def test_rates_convert_with_the_days_rate_or_leave_it_blank(
    reported: Reported, tmp_path: Path
) -> None:
    rates_file = tmp_path / "rates.csv"
    rates_file.write_text("date,currency,rate\n2000-01-01,USD,7.1\n")
    made = produce(
        reported.engine,
        Period(date(2000, 1, 1), date(2999, 1, 1)),
        "json",
        tmp_path / "r.json",
        rates=load_rates(rates_file, "CNY"),
    )
    doc = _json(made.files[0])
    assert doc["journal"]["columns"][-3:] == ["rate_date", "rate", "amount_CNY"]
    for r in _journal(doc):
        if r[9] == "USD" and r[10] != "":
            assert r[-3:] == ["2000-01-01", "7.1", f"{r[10] * 71 / 1000:.2f}"]
        elif r[9] == "CNY" and r[10] != "":
            assert r[-2] == "1" and r[-1] == f"{r[10] / 100:.2f}"
        else:
            assert r[-3:] == ["", "", ""]
    assert made.manifest["rates_currency"] == "CNY"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("day,currency,rate\n", "lacks date"),
        ("date,currency,rate\n2026-13-01,USD,7\n", "not YYYY-MM-DD"),
        ("date,currency,rate\n2026-01-01,US,7\n", "not an ISO 4217"),
        ("date,currency,rate\n2026-01-01,USD,-1\n", "not a positive"),
        ("date,currency,rate\n2026-01-01,USD,7\n2026-01-01,USD,8\n", "second rate"),
    ],
)
def test_a_bad_rates_file_is_refused_with_the_row(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(body)
    with pytest.raises(RatesFileError, match=problem):
        load_rates(path, "CNY")
    with pytest.raises(RatesFileError, match="no rates file"):
        load_rates(tmp_path / "missing.csv", "CNY")


def test_bad_input_is_refused_before_anything_is_written(
    reported: Reported, tmp_path: Path
) -> None:
    with pytest.raises(ReportInputError, match="YYYY-MM-DD"):
        parse_day("31/01/2026", "--from")
    with pytest.raises(ReportInputError, match="before it starts"):
        Period(date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(ReportInputError, match="IANA"):
        Period(date(2026, 1, 1), date(2026, 1, 2), "Mars/Olympus")
    with pytest.raises(ReportFormatError, match="csv"):
        reported.report("docx", tmp_path / "r.docx")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_mirror_says_to_index_first(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn, pytest.raises(ReportInputError, match="aidledger index"):
        resolve(conn, Period(date(2026, 1, 1), date(2026, 1, 2)))
    engine.dispose()


def test_the_tz_moves_the_days_boundaries() -> None:
    utc = Period(date(2026, 1, 1), date(2026, 1, 1))
    shanghai = Period(date(2026, 1, 1), date(2026, 1, 1), "Asia/Shanghai")
    assert utc.start - shanghai.start == 8 * 3600
    assert utc.end - utc.start == 86_400
