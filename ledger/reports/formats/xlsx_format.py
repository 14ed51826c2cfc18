"""XLSX: one workbook, written in XlsxWriter's constant-memory mode (each row goes to disk as
soon as the next one starts, so memory does not grow with the journal).

Sheets: "Summary" (filled last, once the figures are known), "Journal" (continued on
"Journal 2", "Journal 3", ... past Excel's row limit, the header repeated), one sheet per summary
table (a title row, a header row, the rows), and, when the manifest is longer than Excel's
dialogs show, a hidden "Manifest" sheet. Every text cell is written as text, never as a formula,
and formula-like text is escaped (`safe`) as in CSV; integers that a spreadsheet cannot hold
exactly (|v| >= 2**53, the contracts' amounts are 128-bit) are written as their decimal text.
The manifest's core is the custom document property `aidledger_manifest` (JSON), and the file's
dates are fixed, so the same report gives the same bytes.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import xlsxwriter

from ledger.reports.build import Report
from ledger.reports.formats.file_time import file_time
from ledger.reports.formats.safe import safe
from ledger.reports.formats.types import Manifest
from ledger.reports.tables import Row, Table

SHEET_ROWS = 1_048_576  # Excel's rows per sheet, header rows included (tests lower it)
NAME_MAX = 31  # Excel's longest sheet name
CELL_MAX = 32_767  # Excel's longest cell text
EXACT = 2**53  # integers a spreadsheet's float holds exactly lie strictly inside +-EXACT
PROPERTY = "aidledger_manifest"
PROPERTY_MAX = 255  # desktop Excel trims longer property text when it saves the file
MANIFEST_SHEET = "Manifest"
CHUNK = 32_000  # manifest characters per cell of the hidden sheet
CUT = "…"  # ends a text cut at CELL_MAX
JOURNAL_WIDTHS = {"time": 20, "tx_hash": 68, "actor": 44, "id": 68, "site": 68, "to_site": 68}
JOURNAL_WIDTHS |= {"contract": 14, "event": 24, "args": 100}
HEAD = {"bold": True, "bg_color": "#DDE4EE", "bottom": 1}
TITLE = {"bold": True, "font_size": 13}


def _text(value: object) -> str:
    """A cell's text: formula-like text escaped, cut (and marked) at Excel's limit."""
    text: str = safe(str(value))
    if len(text) > CELL_MAX:
        text = text[: CELL_MAX - 1] + CUT
    return text


def _put(ws: Any, r: int, row: Row | list[Any], fmt: Any = None) -> None:
    """One row: exact integers as numbers, other integers and every text as text."""
    for c, v in enumerate(row):
        if type(v) is int:
            if -EXACT < v < EXACT:
                ws.write_number(r, c, v, fmt)
            else:
                ws.write_string(r, c, str(v), fmt)
        elif v is None or v == "":
            if fmt is not None:
                ws.write_blank(r, c, None, fmt)
        else:
            ws.write_string(r, c, _text(v), fmt)


class _Book:
    """The workbook with its formats and the sheet names taken so far."""

    def __init__(self, out: Path, when: datetime) -> None:
        options = {"constant_memory": True, "tmpdir": str(out.parent), "use_zip64": True}
        self.wb = xlsxwriter.Workbook(str(out), options)
        self.head = self.wb.add_format(HEAD)
        self.title = self.wb.add_format(TITLE)
        self.names: set[str] = set()
        self.when = when

    def sheet(self, name: str) -> Any:
        """A new sheet named `name` (cut to Excel's 31 characters, made unique)."""
        base, n = name[:NAME_MAX], 1
        for bad in "[]:*?/\\":
            base = base.replace(bad, "_")
        candidate = base
        while candidate.lower() in self.names:
            n += 1
            suffix = f" ({n})"
            candidate = base[: NAME_MAX - len(suffix)] + suffix
        self.names.add(candidate.lower())
        return self.wb.add_worksheet(candidate)

    def stream(
        self,
        base: str,
        head: list[tuple[list[Any], Any]],
        rows: Iterable[Row],
        widths: list[int],
    ) -> list[str]:
        """`rows` under `head` on sheet `base`, continued on "`base` 2", ... when a sheet is
        full (every sheet repeats `head`); returns the sheets' names."""
        per_sheet = SHEET_ROWS - len(head)
        if per_sheet < 1:
            raise ValueError(f"SHEET_ROWS ({SHEET_ROWS}) leaves no room below {len(head)} rows")
        names: list[str] = []
        ws: Any = None
        r = SHEET_ROWS
        for row in rows:
            if r == SHEET_ROWS:
                ws = self._start(base, len(names) + 1, head, widths)
                names.append(ws.name)
                r = len(head)
            _put(ws, r, row)
            r += 1
        if ws is None:
            names.append(self._start(base, 1, head, widths).name)
        return names

    def _start(
        self, base: str, n: int, head: list[tuple[list[Any], Any]], widths: list[int]
    ) -> Any:
        if n > 1:
            suffix = f" {n}"
            base = base[: NAME_MAX - len(suffix)] + suffix
        ws = self.sheet(base)
        for c, width in enumerate(widths):
            ws.set_column(c, c, width)
        for r, (row, fmt) in enumerate(head):
            _put(ws, r, row, fmt)
        ws.freeze_panes(len(head), 0)
        return ws


def _table_widths(table: Table) -> list[int]:
    """Column widths from the header and the first rows (text length, within 8..70)."""
    widths = [len(c) + 2 for c in table.columns]
    for row in table.rows[:200]:
        for c, v in enumerate(row[: len(widths)]):
            widths[c] = max(widths[c], len(str(v)) + 2)
    return [min(max(w, 8), 70) for w in widths]


def _summary(
    book: _Book, ws: Any, report: Report, core: dict[str, Any], sheets: dict[str, list[str]]
) -> None:
    """The Summary sheet: what the report covers and every table with its rows and digest."""
    ctx = report.context
    for c, width in enumerate((26, 16, 70, 22, 60, 40)):
        ws.set_column(c, c, width)
    filters = ", ".join(f"{k}={v}" for k, v in sorted(ctx.filters.items())) or "none"
    lines: list[tuple[str, str, object]] = [
        ("Period", "期间", f"{ctx.period_from} – {ctx.period_to} ({ctx.tz})"),
        ("Chain id", "链 ID", ctx.chain_id),
        *((f"Contract {k}", "合约", v) for k, v in ctx.contracts.items()),
        ("Deployment block", "部署区块", ctx.deployment_block),
        ("Events (seq)", "事件序号", f"{ctx.first_seq} – {ctx.last_seq}"),
        ("First block", "首个区块", f"{ctx.first_block} {ctx.first_block_hash}"),
        ("Last block", "末个区块", f"{ctx.last_block} {ctx.last_block_hash}"),
        ("Ledger head", "账本头", ctx.head),
        (
            "Complete",
            "完整",
            "yes / 是" if ctx.complete else "no: the mirror had not reached the period's end",
        ),
        ("Filters", "筛选", filters),
        ("Rates currency", "汇率目标币种", ctx.rates_currency or "none"),
        ("Generator", "生成程序", core["generator"]),
        ("Verify", "核验", "aidledger report verify FILE (with FILE.manifest.json beside it)"),
    ]
    r = 0
    _put(ws, r, ["AidLedger audit report / 审计报告"], book.title)
    r = 2
    for en, zh, value in lines:
        _put(ws, r, [en, zh, value])
        r += 1
    r += 1
    _put(ws, r, ["table", "rows", "sha256", "sheets", "title_en", "title_zh"], book.head)
    r += 1
    titles = {t.name: (t.title_en, t.title_zh) for t in report.tables}
    titles["journal"] = ("Journal: every event of the period", "日记账：本期全部事件")
    for name, figures in core["tables"].items():
        en, zh = titles.get(name, ("", ""))
        where = ", ".join(sheets.get(name, []))
        _put(ws, r, [name, figures["rows"], figures["sha256"], where, en, zh])
        r += 1
    ws.activate()


def _manifest(book: _Book, core: dict[str, Any]) -> None:
    """The manifest's core as a document property, and on a hidden sheet when it is long."""
    text = orjson.dumps(core, option=orjson.OPT_SORT_KEYS).decode()
    with warnings.catch_warnings():  # XlsxWriter warns past 255 characters: handled below
        warnings.simplefilter("ignore", UserWarning)
        book.wb.set_custom_property(PROPERTY, text, "text")
    if len(text) <= PROPERTY_MAX:
        return
    ws = book.sheet(MANIFEST_SHEET)
    ws.set_column(0, 0, 100)
    _put(ws, 0, [f"{PROPERTY}: the JSON below, cells A2, A3, ... joined"], book.head)
    for r, start in enumerate(range(0, len(text), CHUNK), start=1):
        _put(ws, r, [text[start : start + CHUNK]])
    ws.hide()


def write(report: Report, out: Path, manifest: Manifest) -> list[Path]:
    """Write `report` to `out` as an XLSX workbook (see the module's docstring)."""
    book = _Book(out, file_time(report))
    summary = book.sheet("Summary")
    columns = list(report.journal_columns)
    widths = [JOURNAL_WIDTHS.get(c, 12) for c in columns]
    sheets = {"journal": book.stream("Journal", [(columns, book.head)], report.journal(), widths)}
    for t in report.tables:
        head = [([f"{t.title_en} / {t.title_zh}"], book.title), (list(t.columns), book.head)]
        sheets[t.name] = book.stream(t.name, head, t.rows, _table_widths(t))
    core = manifest()
    _summary(book, summary, report, core, sheets)
    _manifest(book, core)
    ctx = report.context
    book.wb.set_properties(
        {
            "title": f"AidLedger audit report {ctx.period_from} – {ctx.period_to}",
            "subject": f"chain {ctx.chain_id}, seq {ctx.first_seq}..{ctx.last_seq}",
            "author": "AidLedger",
            "keywords": f"aidledger, audit report, ledger head {ctx.head}",
            "comments": "Verify: aidledger report verify FILE (its manifest beside it)",
            "created": book.when,
        }
    )
    book.wb.close()
    return [out]
