"""XLSX reports read back (openpyxl) equal the JSON of the same report; text never becomes a
formula; the manifest is inside; the journal continues on numbered sheets; same bytes twice."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import orjson
import pytest
from openpyxl.utils.escape import unescape as ooxml_unescape

from ledger.reports import manifest as manifests
from ledger.reports.build import Report
from ledger.reports.formats import json_format, xlsx_format
from ledger.reports.formats.safe import unsafe
from ledger.reports.tables import Table
from tests.ledger.reports import synthetic
from tests.ledger.reports.conftest import Reported

PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "'=quoted",
    "ctl\x01 _x0041_ <b>&amp;</b>",
    "名称",
]
NUMBERS = [2**53 - 1, 2**53, -(2**60), 2**100, 7, -7, -(2**53) + 1]


def _from_xlsx(value: Any) -> Any:
    """A cell as the JSON format has it: escapes undone (the formula escape, and the _xHHHH_
    of control characters, which openpyxl leaves in inline strings), blanks as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unsafe(ooxml_unescape(value))
    return value


def _from_json(value: Any) -> Any:
    """A JSON value as the XLSX format keeps it: integers beyond 2**53 as their text."""
    if isinstance(value, int) and not -(2**53) < value < 2**53:
        return str(value)
    return value


def _rows(ws: Any, skip: int, width: int) -> list[list[Any]]:
    out = []
    for i, row in enumerate(ws.iter_rows(values_only=True)):
        if i >= skip:
            cells = [_from_xlsx(v) for v in row[:width]]
            out.append(cells + [""] * (width - len(cells)))
    return out


def _core(made_manifest: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in made_manifest.items() if k != "files"}


def _write(report: Report, out: Path, fmt: str = "xlsx") -> dict[str, Any]:
    """Write `report` with the named writer; the manifest core it was given."""
    given: dict[str, Any] = {}

    def core() -> dict[str, Any]:
        given.update(manifests.core(report, fmt))
        return given

    writer = xlsx_format.write if fmt == "xlsx" else json_format.write
    writer(report, out, core)
    return given


def test_xlsx_reads_back_equal_to_json(reported: Reported, tmp_path: Path) -> None:
    doc = orjson.loads(reported.report("json", tmp_path / "r.json").files[0].read_bytes())
    made = reported.report("xlsx", tmp_path / "r.xlsx")
    assert made.files == [tmp_path / "r.xlsx"]
    wb = openpyxl.load_workbook(made.files[0], read_only=True)
    assert wb.sheetnames[:2] == ["Summary", "Journal"]
    journal = doc["journal"]
    columns = journal["columns"]
    ws = wb["Journal"]
    got = _rows(ws, 0, len(columns))
    assert got[0] == columns
    assert got[1:] == [[_from_json(v) for v in r] for r in journal["rows"]]
    assert len(got) > 10
    for name, table in doc["tables"].items():
        sheet = wb[name]
        rows = _rows(sheet, 0, len(table["columns"]))
        assert rows[0][0] == f"{table['title_en']} / {table['title_zh']}"
        assert rows[1] == table["columns"]
        assert rows[2:] == [[_from_json(v) for v in r] for r in table["rows"]], name
    summary = [r for r in wb["Summary"].iter_rows(values_only=True)]
    flat = [v for r in summary for v in r if v is not None]
    assert made.manifest["ledger_head"] in flat and made.manifest["chain_id"] in flat
    counts = {r[0]: r[1] for r in summary if r[0] in made.manifest["tables"]}
    assert counts == {n: t["rows"] for n, t in made.manifest["tables"].items()}
    wb.close()


def test_the_scenario_payloads_stay_text(reported: Reported, tmp_path: Path) -> None:
    made = reported.report("xlsx", tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(made.files[0])  # full mode: cell types too
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert any("<b>bold</b> masks & {{7*7}}" in t for t in texts)
    wb.close()


def test_the_manifest_core_is_a_document_property(reported: Reported, tmp_path: Path) -> None:
    made = reported.report("xlsx", tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(made.files[0], read_only=True)
    prop = wb.custom_doc_props[xlsx_format.PROPERTY].value
    assert orjson.loads(prop) == _core(made.manifest)
    assert len(prop) > xlsx_format.PROPERTY_MAX  # so it is on the hidden sheet too
    hidden = wb[xlsx_format.MANIFEST_SHEET]
    assert hidden.sheet_state == "hidden"
    chunks = [unsafe(r[0]) for r in hidden.iter_rows(min_row=2, values_only=True)]
    assert orjson.loads("".join(chunks)) == _core(made.manifest)
    assert wb.properties.created is not None and wb.properties.created.year == 3000
    wb.close()


def test_the_same_report_gives_the_same_bytes(reported: Reported, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = reported.report("xlsx", tmp_path / "a" / "r.xlsx")
    b = reported.report("xlsx", tmp_path / "b" / "r.xlsx")
    assert a.files[0].read_bytes() == b.files[0].read_bytes()
    assert a.manifest["files"] == b.manifest["files"]


def test_formula_like_text_is_escaped_and_wide_integers_are_text(tmp_path: Path) -> None:
    rows = list(zip(PAYLOADS, NUMBERS, strict=True))
    table = Table("payloads", "Payloads", "载荷", ("text", "number"), rows)
    report = dataclasses.replace(synthetic.report(), extra_tables=lambda ctx: [table])
    out = tmp_path / "p.xlsx"
    _write(report, out)
    with zipfile.ZipFile(out) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        for n in sheets:
            assert b"<f>" not in z.read(n), n
    wb = openpyxl.load_workbook(out)
    ws = wb["payloads"]
    cells = list(ws.iter_rows(min_row=3))
    assert [ooxml_unescape(c[0].value) for c in cells] == [
        "'" + p if p[0] in "=+-@'" else p for p in PAYLOADS
    ]
    assert all(c[0].data_type == "s" for c in cells)
    assert [_from_xlsx(c[0].value) for c in cells] == PAYLOADS
    assert [c[1].value for c in cells] == [_from_json(n) for n in NUMBERS]
    assert [c[1].data_type for c in cells] == ["n", "s", "s", "s", "n", "n", "n"]
    wb.close()


def test_the_journal_continues_on_numbered_sheets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_format, "SHEET_ROWS", 6)  # a header and five rows a sheet
    out = tmp_path / "s.xlsx"
    core = _write(synthetic.report(gifts=3), out)
    rows = core["tables"]["journal"]["rows"]
    assert rows == 15
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames[:4] == ["Summary", "Journal", "Journal 2", "Journal 3"]
    assert "Journal 4" not in wb.sheetnames
    _write(synthetic.report(gifts=3), tmp_path / "s.json", "json")
    doc = orjson.loads((tmp_path / "s.json").read_bytes())
    width = len(doc["journal"]["columns"])
    joined = []
    for name in ("Journal", "Journal 2", "Journal 3"):
        got = _rows(wb[name], 0, width)
        assert got[0] == doc["journal"]["columns"], name
        assert 1 <= len(got) - 1 <= 5
        joined += got[1:]
    assert joined == [[_from_json(v) for v in r] for r in doc["journal"]["rows"]]
    summary = {r[0]: r[3] for r in wb["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["journal"] == "Journal, Journal 2, Journal 3"
    wb.close()


def test_an_empty_journal_still_has_its_header(tmp_path: Path) -> None:
    report = synthetic.report()
    empty = dataclasses.replace(
        report, context=dataclasses.replace(report.context, first_seq=1, last_seq=0)
    )
    out = tmp_path / "e.xlsx"
    _write(empty, out)
    wb = openpyxl.load_workbook(out, read_only=True)
    assert [list(r) for r in wb["Journal"].iter_rows(values_only=True)] == [
        list(empty.journal_columns)
    ]
    wb.close()
