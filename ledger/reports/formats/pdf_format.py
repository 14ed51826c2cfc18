"""PDF: the report for people, in Chinese and English (fpdf2, a CJK TrueType font embedded).

A summary page (what the report covers, the journal's row count and digest, every table's
digest, how to verify), a page of charts (money received and spent per currency, goods that
entered and left per item, drawn with fpdf2's own shapes), then every summary table with both
titles. The journal is not printed (it can hold millions of rows: it is in the CSV, XLSX and JSON
formats); a table longer than `ROW_LIMIT` rows shows its first rows and says how many there are.
The manifest's core is the document's Subject (JSON) and its creation date is fixed
(`file_time`), so the same report gives the same bytes.
"""

from __future__ import annotations

import os
import re
from collections import deque
from pathlib import Path
from typing import Any

import orjson
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from ledger.errors import AidLedgerConfigError
from ledger.reports.build import Report
from ledger.reports.formats.file_time import file_time
from ledger.reports.formats.types import Manifest
from ledger.reports.tables import Context, Table

FONT_ENV = "AIDLEDGER_PDF_FONT"
FONT_PACKAGE = "fonts-wqy-microhei"
# TrueType outlines only: fpdf2 embeds CFF fonts (Noto CJK) with an encoding that text
# extractors such as pypdf cannot read back, so their text could not be searched or copied.
FONTS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
ROW_LIMIT = 2_000  # rows of one table printed; the rest are in CSV, XLSX and JSON
CHART_ROWS = 30  # currencies or items per chart (the largest)
TITLE = "AidLedger 审计报告 / Audit report"
FAMILY = "cjk"
ROW_H = 4.2
BODY = 7.0
MAX_COL = 70.0  # mm
BLUE = (52, 101, 164)
ORANGE = (230, 140, 40)
GREY = (225, 230, 238)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_HEX_ID = re.compile(r"0x[0-9a-fA-F]{40,}")


class PdfFontError(AidLedgerConfigError):
    """No font with Chinese glyphs was found for the PDF report."""


def find_font() -> Path:
    """The CJK font to embed: `AIDLEDGER_PDF_FONT`, else the first of `FONTS` there is."""
    chosen = os.environ.get(FONT_ENV)
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            raise PdfFontError(
                f"{FONT_ENV}={chosen} is not a file; point it at a TrueType font with Chinese "
                f"glyphs (.ttf or .ttc), or unset it and install the Debian package {FONT_PACKAGE}"
            )
        return path
    for path in FONTS:
        if path.is_file():
            return path
    raise PdfFontError(
        "the PDF report needs a font with Chinese glyphs and found none at "
        f"{', '.join(map(str, FONTS))}; install the Debian package {FONT_PACKAGE} "
        f"(`apt-get install {FONT_PACKAGE}`) or set {FONT_ENV} to a TrueType font file "
        "(.ttf or .ttc) with Chinese glyphs"
    )


def shown(value: object, short: bool = True) -> str:
    """A cell as people read it: thousands separated, long hex ids shortened (`short`),
    control characters as \\xNN (the full values are in the other formats)."""
    if type(value) is int:
        return f"{value:,}"
    text = "" if value is None else str(value)
    if short and "0x" in text:
        text = _HEX_ID.sub(lambda m: m.group(0)[:10] + "…" + m.group(0)[-6:], text)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


class _Pdf(FPDF):
    """A4 pages with a footer naming the report and the page."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        """The report's title and period, and the page number."""
        self.set_y(-10)
        self.set_font(FAMILY, size=7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"{self.page_no()} / {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    def fit(self, text: str, width: float) -> str:
        """`text` cut (with an ellipsis) to fit `width` mm in the current font."""
        room = width - 2 * self.c_margin
        if self.get_string_width(text) <= room:
            return text
        n = max(0, int(len(text) * room / max(self.get_string_width(text), 0.01)))
        while n > 0 and self.get_string_width(text[:n] + "…") > room:
            n -= 1
        return text[:n] + "…"

    def room(self) -> float:
        """Millimetres left above the bottom margin."""
        return float(self.page_break_trigger - self.get_y())

    def heading(self, zh: str, en: str) -> None:
        """A section's titles, Chinese above English, in the outline too."""
        self.start_section(f"{zh} / {en}")
        self.set_font(FAMILY, size=12)
        self.cell(0, 7, zh, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, size=9)
        self.cell(0, 5, en, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def note(self, text: str, size: float = 8.0, h: float = 4.2) -> None:
        """A wrapped paragraph."""
        self.set_font(FAMILY, size=size)
        self.multi_cell(0, h, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _pairs(ctx: Context, core: dict[str, Any]) -> list[tuple[str, str]]:
    """The summary page's labelled facts."""
    filters = ", ".join(f"{k} = {v}" for k, v in sorted(ctx.filters.items())) or "无 / none"
    complete = (
        "是 / yes"
        if ctx.complete
        else "否：镜像尚未到达期末 / no: the mirror had not reached the period's end"
    )
    return [
        ("期间 / Period", f"{ctx.period_from} – {ctx.period_to} ({ctx.tz})"),
        ("链 ID / Chain id", str(ctx.chain_id)),
        *((f"合约 / {name}", address) for name, address in ctx.contracts.items()),
        ("事件序号 / Events (seq)", f"{ctx.first_seq} – {ctx.last_seq}"),
        ("首个区块 / First block", f"{ctx.first_block}  {ctx.first_block_hash}"),
        ("末个区块 / Last block", f"{ctx.last_block}  {ctx.last_block_hash}"),
        ("账本头 / Ledger head", ctx.head),
        ("完整 / Complete", complete),
        ("筛选 / Filters", filters),
        ("汇率目标币种 / Rates currency", ctx.rates_currency or "无 / none"),
        ("生成程序 / Generator", str(core["generator"])),
    ]


def _summary(pdf: _Pdf, report: Report, core: dict[str, Any], name: str) -> None:
    """The first page: what the report covers, the journal, the digests, how to verify."""
    pdf.add_page(orientation="P")
    pdf.start_section(TITLE)
    pdf.set_font(FAMILY, size=18)
    pdf.cell(0, 11, TITLE, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    for label, value in _pairs(report.context, core):
        pdf.set_font(FAMILY, size=8.5)
        pdf.cell(52, 5, label)
        pdf.set_font(FAMILY, size=8)
        pdf.multi_cell(
            0, 5, shown(value, short=False), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    pdf.ln(3)
    journal = report.digests["journal"]
    pdf.heading("日记账", "Journal")
    pdf.note(
        f"本期日记账共 {journal.rows:,} 行（每个事件一行），摘要 sha256 {journal.hexdigest()}。"
        "完整日记账逐行见本报告的 CSV、XLSX 和 JSON 格式。\n"
        f"The journal has {journal.rows:,} rows (one per event of the period), digest sha256 "
        f"{journal.hexdigest()}. It is not printed here: the full journal, row by row, is in "
        "this report's CSV, XLSX and JSON formats (aidledger report --format csv|xlsx|json)."
    )
    pdf.ln(2)
    pdf.heading("表格与摘要", "Tables and their digests")
    widths = (44.0, 18.0, 0.0)
    pdf.set_font(FAMILY, size=7)
    pdf.set_fill_color(*GREY)
    for text, w in zip(("table", "rows", "sha256"), widths, strict=True):
        pdf.cell(w, ROW_H, text, fill=True)
    pdf.ln(ROW_H)
    for table, figures in core["tables"].items():
        pdf.cell(widths[0], ROW_H, table)
        pdf.cell(widths[1], ROW_H, f"{figures['rows']:,}", align="R")
        pdf.cell(widths[2], ROW_H, f"  {figures['sha256']}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.heading("如何核验", "How to verify")
    pdf.note(
        f"将本文件与其清单 {name}.manifest.json 放在同一目录，运行：\n"
        f"Keep this file and its manifest {name}.manifest.json together and run:\n"
        f"    aidledger report verify {name} --rpc <RPC URL>\n"
        "核验会检查文件的哈希、区块范围，并从链上日志重新推导每个表格、比对其摘要，最后比对账本头。"
        "本文件的元数据（Subject）中也存有清单核心内容（JSON）。\n"
        "Verify checks the files' hashes and the block range, re-derives every table from the "
        "chain's logs and compares their digests, then the ledger head. The manifest's core is "
        "also in this file's metadata (Subject, JSON)."
    )


def _column(table: Table | None, name: str) -> int | None:
    if table is None or name not in table.columns:
        return None
    return table.columns.index(name)


def _bars(
    pdf: _Pdf,
    rows: list[tuple[str, int, int]],
    legend: tuple[str, str],
    empty: str,
) -> None:
    """Pairs of horizontal bars, one pair per row, each row scaled to its own larger figure."""
    if not rows:
        pdf.note(empty)
        return
    label_w, value_w = 50.0, 34.0
    bar_w = pdf.epw - label_w - value_w
    x0 = pdf.l_margin
    pdf.set_font(FAMILY, size=7.5)
    for i, (text, colour) in enumerate(zip(legend, (BLUE, ORANGE), strict=True)):
        pdf.set_fill_color(*colour)
        x = x0 + label_w + i * 70
        pdf.rect(x, pdf.get_y() + 1, 3, 3, style="F")
        pdf.set_xy(x + 4, pdf.get_y())
        pdf.cell(60, 5, text)
    pdf.set_xy(x0, pdf.get_y() + 6)
    shown_rows = sorted(rows, key=lambda r: -max(abs(r[1]), abs(r[2])))[:CHART_ROWS]
    for label, first, second in shown_rows:
        if pdf.room() < 12:
            pdf.add_page(orientation="L")
        top = pdf.get_y()
        scale = max(abs(first), abs(second)) or 1
        pdf.set_font(FAMILY, size=7.5)
        pdf.set_xy(x0, top + 1.5)
        pdf.cell(label_w, 4, pdf.fit(shown(label), label_w))
        for j, (value, colour) in enumerate(((first, BLUE), (second, ORANGE))):
            y = top + j * 4.5
            width = bar_w * abs(value) / scale
            if width > 0:
                pdf.set_fill_color(*colour)
                pdf.rect(x0 + label_w, y, max(width, 0.3), 3.6, style="F")
            pdf.set_xy(x0 + label_w + width + 1, y - 0.2)
            pdf.cell(value_w, 4, f"{value:,}")
        pdf.set_xy(x0, top + 11)
    if len(rows) > CHART_ROWS:
        pdf.note(
            f"图中为最大的 {CHART_ROWS} 项，共 {len(rows):,} 项，全部见下表。 / The {CHART_ROWS} "
            f"largest of {len(rows):,} are drawn; the table below has them all.",
            size=7,
        )


def _charts(pdf: _Pdf, tables: dict[str, Table]) -> None:
    """Money received vs spent per currency; goods entered vs left per item."""
    pdf.add_page(orientation="L")
    pdf.heading("图表", "Charts")
    pdf.note(
        "每行按其较大的数字缩放；不同币种、不同品项之间不可比较。 / Each row is scaled to its own "
        "larger figure: currencies and items are not comparable with each other.",
        size=7.5,
    )
    pdf.ln(2)
    money = tables.get("money_reconciliation")
    received, spent = _column(money, "received"), _column(money, "spent")
    rows: list[tuple[str, int, int]] = []
    if money is not None and received is not None and spent is not None:
        rows = [(str(r[0]), int(r[received]), int(r[spent])) for r in money.rows]
    pdf.set_font(FAMILY, size=10)
    pdf.cell(
        0,
        6,
        "各币种收入与支出（最小货币单位） / Money received and spent per currency (minor units)",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    _bars(pdf, rows, ("收入 / received", "支出 / spent"), "本期无资金变动 / no money in the period")
    pdf.ln(4)
    goods = tables.get("goods_reconciliation")
    items: list[tuple[str, int, int]] = []
    if goods is not None:
        idx = {c: i for i, c in enumerate(goods.columns)}
        came = [idx[c] for c in ("donated", "purchased") if c in idx]
        went = [idx[c] for c in ("handed_over", "adjusted_out", "lost_in_transit") if c in idx]
        label = idx.get("item", 0)
        for r in goods.rows:
            items.append(
                (str(r[label] or r[0]), sum(int(r[i]) for i in came), sum(int(r[i]) for i in went))
            )
    if pdf.room() < 30:
        pdf.add_page(orientation="L")
    pdf.set_font(FAMILY, size=10)
    pdf.cell(
        0,
        6,
        "各品项入库与出库（单位数） / Goods entered and left per item (units)",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    _bars(
        pdf,
        items,
        (
            "入库：捐赠 + 采购 / entered: donated + purchased",
            "出库：发放 + 调减 + 途损 / left: handed over + adjusted + lost",
        ),
        "本期无物资变动 / no goods in the period",
    )


def _widths(pdf: _Pdf, table: Table, rows: list[list[str]]) -> list[float]:
    """Column widths from the header and the first rows, scaled down to the page."""
    pdf.set_font(FAMILY, size=BODY)
    pad = 2 * pdf.c_margin + 0.5
    widths = [pdf.get_string_width(c) + pad for c in table.columns]
    for row in rows[:200]:
        for c, text in enumerate(row):
            widths[c] = max(widths[c], pdf.get_string_width(text) + pad)
    return _share([min(w, MAX_COL) for w in widths], float(pdf.epw))


def _share(widths: list[float], room: float) -> list[float]:
    """`widths` within `room`: the widest columns are narrowed to one common width, so that
    numbers and short columns keep theirs and only long text is cut."""
    if sum(widths) <= room:
        return widths
    rest, left = sorted(widths), room
    for i, w in enumerate(rest):
        cap = left / (len(rest) - i)
        if w > cap:
            return [min(x, cap) for x in widths]
        left -= w
    return widths  # pragma: no cover - the sum exceeds room, so some column is cut


def _header(pdf: _Pdf, columns: tuple[str, ...], widths: list[float]) -> None:
    pdf.set_font(FAMILY, size=BODY)
    pdf.set_fill_color(*GREY)
    for c, w in zip(columns, widths, strict=True):
        pdf.cell(w, ROW_H + 0.6, pdf.fit(c, w), fill=True)
    pdf.ln(ROW_H + 0.6)


def _table(pdf: _Pdf, table: Table) -> None:
    """One table: both titles, its row count, a header, at most `ROW_LIMIT` rows."""
    if pdf.room() < 40:
        pdf.add_page(orientation="L")
    else:
        pdf.ln(4)
    pdf.heading(table.title_zh, table.title_en)
    total = len(table.rows)
    pdf.set_font(FAMILY, size=7.5)
    pdf.cell(0, 4.5, f"{table.name} · {total:,} 行 / rows", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if not table.rows:
        pdf.note("（无 / none）")
        return
    rows = [[shown(v) for v in r] for r in table.rows[:ROW_LIMIT]]
    numeric = [any(type(r[c]) is int for r in table.rows[:200]) for c in range(len(table.columns))]
    widths = _widths(pdf, table, rows)
    _header(pdf, table.columns, widths)
    fit, cell = pdf.fit, pdf.cell
    for row in rows:
        if pdf.room() < ROW_H:
            pdf.add_page(orientation="L")
            _header(pdf, table.columns, widths)
        for c, (text, w) in enumerate(zip(row, widths, strict=True)):
            cell(w, ROW_H, fit(text, w), border="B", align="R" if numeric[c] else "L")
        pdf.ln(ROW_H)
    if total > ROW_LIMIT:
        pdf.note(
            f"仅列出前 {ROW_LIMIT:,} 行，共 {total:,} 行；"
            "全部行见本报告的 CSV、XLSX 和 JSON 格式。\n"
            f"The first {ROW_LIMIT:,} of {total:,} rows are shown; every row is in this "
            "report's CSV, XLSX and JSON formats.",
            size=7.5,
        )


def write(report: Report, out: Path, manifest: Manifest) -> list[Path]:
    """Write `report` to `out` as a PDF for people (see the module's docstring)."""
    font = find_font()
    deque(report.journal(), maxlen=0)  # the journal is not printed, but it makes the figures
    tables = report.tables
    core = manifest()
    ctx = report.context
    pdf = _Pdf(f"{TITLE} · {ctx.period_from} – {ctx.period_to} ({ctx.tz})")
    try:
        pdf.add_font(FAMILY, "", str(font))
    except Exception as exc:  # fontTools raises many kinds for a file that is not a font
        raise PdfFontError(
            f"cannot embed the font {font} ({exc}); set {FONT_ENV} to a TrueType font file "
            f"(.ttf or .ttc) with Chinese glyphs, or install the Debian package {FONT_PACKAGE}"
        ) from None
    pdf.set_auto_page_break(True, margin=14)
    pdf.set_margins(15, 15, 15)
    pdf.set_title(f"{TITLE} {ctx.period_from} – {ctx.period_to}")
    pdf.set_author("AidLedger")
    pdf.set_creator(str(core["generator"]))
    pdf.set_keywords("aidledger, audit report, manifest core in Subject (JSON)")
    pdf.set_subject(orjson.dumps(core, option=orjson.OPT_SORT_KEYS).decode())
    pdf.set_creation_date(file_time(report))
    _summary(pdf, report, core, out.name)
    by_name = {t.name: t for t in tables}
    _charts(pdf, by_name)
    for table in tables:
        _table(pdf, table)
    pdf.output(str(out))
    return [out]
