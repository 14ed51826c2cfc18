"""The Charity Law disclosure: figures from the chain in Chinese with English, chain text
escaped, the periodic schedule."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ledger.reports.formats.disclosure_format import schedule
from ledger.reports.verify import verify_report
from tests.ledger.reports.conftest import Reported


def test_the_disclosure_states_funds_goods_and_use(reported: Reported, tmp_path: Path) -> None:
    made = reported.report("disclosure", tmp_path / "d.md")
    text = made.files[0].read_text(encoding="utf-8")
    assert text.startswith("# 慈善信息公开 / Charity disclosure")
    for heading in ("募集情况", "物资接收与使用", "使用情况", "慈善项目", "披露时间表", "核验"):
        assert heading in text
    assert "| CNY | 0.00 | 2,000.00 | 1,600.00 | 400.00 |" in text
    assert "\\<b\\>bold\\</b\\> masks & {{7\\*7}}" in text  # chain text cannot make markup
    assert "<b>" not in text
    assert [f for f in verify_report(made.files[0], reported.rpc()) if not f.ok] == []


def test_periodic_disclosures_start_once_a_campaign_runs_past_six_months() -> None:
    assert schedule(date(2026, 1, 31), date(2026, 7, 30)) == []
    due = schedule(date(2026, 1, 31), date(2026, 8, 1))
    assert [d for d, _ in due] == ["2026-04-30", "2026-07-31", "2026-10-31"]
    assert "next" in due[-1][1]
    assert schedule(None, date(2026, 1, 1)) == []
