"""PDF reports: the text reads back (pypdf) with Chinese and the scenario's names as literal
text; the manifest core is in the metadata; same bytes twice; long tables are cut with a note;
no CJK font gives a clear error."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import orjson
import pypdf
import pytest

from ledger.reports import manifest as manifests
from ledger.reports.formats import pdf_format
from ledger.reports.tables import Table
from tests.ledger.reports import synthetic
from tests.ledger.reports.conftest import Reported
from tests.portal.scenario import PAYLOADS


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def test_the_pdf_reads_back_in_chinese_and_english(reported: Reported, tmp_path: Path) -> None:
    made = reported.report("pdf", tmp_path / "r.pdf")
    assert made.files == [tmp_path / "r.pdf"]
    text = _text(made.files[0])
    assert pdf_format.TITLE in text
    for title in (
        "资金对账（按币种，最小货币单位）",  # noqa: RUF001
        "Money reconciliation per currency (minor units)",
        "物资对账（按品项，单位数）",  # noqa: RUF001
        "逐笔捐赠去向（按归属规则，镜像库现值）",  # noqa: RUF001
        "各币种收入与支出",
    ):
        assert title in text, title
    assert PAYLOADS["item"] in text  # '<b>bold</b> masks & {{7*7}}', as literal text
    journal = made.manifest["tables"]["journal"]
    assert f"The journal has {journal['rows']:,} rows" in text
    assert journal["sha256"] in text
    assert made.manifest["ledger_head"] in text
    assert "aidledger report verify r.pdf" in text


def test_the_metadata_holds_the_manifest_core(reported: Reported, tmp_path: Path) -> None:
    made = reported.report("pdf", tmp_path / "r.pdf")
    meta = pypdf.PdfReader(made.files[0]).metadata
    assert meta is not None and meta.subject is not None
    core = {k: v for k, v in made.manifest.items() if k != "files"}
    assert orjson.loads(str(meta.subject)) == core
    assert meta.creation_date is not None and meta.creation_date.year == 3000
    assert meta.title is not None and pdf_format.TITLE in meta.title


def test_the_same_report_gives_the_same_bytes(reported: Reported, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = reported.report("pdf", tmp_path / "a" / "r.pdf")
    b = reported.report("pdf", tmp_path / "b" / "r.pdf")
    assert a.files[0].read_bytes() == b.files[0].read_bytes()


def _write(report: Any, out: Path) -> None:
    pdf_format.write(report, out, lambda: manifests.core(report, "pdf"))


def test_a_long_table_is_cut_with_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_format, "ROW_LIMIT", 3)
    rows = [(f"row-{i}", i) for i in range(7)]
    table = Table("long", "A long table", "长表", ("name", "n"), rows)
    report = dataclasses.replace(synthetic.report(), extra_tables=lambda ctx: [table])
    _write(report, tmp_path / "l.pdf")
    text = _text(tmp_path / "l.pdf")
    assert "长表" in text and "A long table" in text
    assert "row-2" in text and "row-3" not in text
    assert "The first 3 of 7 rows are shown" in text
    assert "仅列出前 3 行，共 7 行" in text  # noqa: RUF001


def test_text_from_the_chain_is_shown_literally(tmp_path: Path) -> None:
    rows = [("<script>alert(1)</script>", "**md** \\x"), ("ctl\x01end", "名称 & {{7*7}}")]
    table = Table("names", "Names", "名称表", ("a", "b"), rows)
    report = dataclasses.replace(synthetic.report(), extra_tables=lambda ctx: [table])
    _write(report, tmp_path / "n.pdf")
    text = _text(tmp_path / "n.pdf")
    for shown in ("<script>alert(1)</script>", "**md** \\x", "ctl\\x01end", "名称 & {{7*7}}"):
        assert shown in text, shown


def test_no_cjk_font_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pdf_format.FONT_ENV, raising=False)
    monkeypatch.setattr(pdf_format, "FONTS", (tmp_path / "nowhere.ttc",))
    with pytest.raises(pdf_format.PdfFontError, match="fonts-wqy-microhei") as caught:
        _write(synthetic.report(), tmp_path / "x.pdf")
    assert "AIDLEDGER_PDF_FONT" in str(caught.value)
    assert not (tmp_path / "x.pdf").exists()
    monkeypatch.setenv(pdf_format.FONT_ENV, str(tmp_path / "missing.ttf"))
    with pytest.raises(pdf_format.PdfFontError, match=r"missing\.ttf is not a file"):
        _write(synthetic.report(), tmp_path / "x.pdf")
    (tmp_path / "bad.ttf").write_bytes(b"not a font")
    monkeypatch.setenv(pdf_format.FONT_ENV, str(tmp_path / "bad.ttf"))
    with pytest.raises(pdf_format.PdfFontError, match="cannot embed the font"):
        _write(synthetic.report(), tmp_path / "x.pdf")
