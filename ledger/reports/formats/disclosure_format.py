"""Statutory disclosure for a Chinese charity (Charity Law; the disclosure measures in force from
2026-01-01), in Chinese with English, as a Markdown document made only from chain data.

Decisions (docs/reports.md): the deployment's relief operation is one public fundraising
campaign, starting with its first recorded event; each earmarked money pool (purpose, region or
category) is one charity project within it. The chain does not know when a campaign ends, so the
final disclosure (due within three months of the end) is stated as a rule, not a date; periodic
disclosures (at least every three months once a campaign runs longer than six months) are listed
with their due dates up to the period's end.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import orjson

from ledger.chain.currencies import exponent
from ledger.queries.disclosures import due_dates
from ledger.reports.build import Report
from ledger.reports.formats.types import Manifest
from ledger.reports.tables import Table


def _major(minor: int, currency: str) -> str:
    digits = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, part = divmod(abs(minor), 10**digits)
    return f"{sign}{whole:,}" + (f".{part:0{digits}d}" if digits else "")


def _cell(value: object) -> str:
    """Text safe inside a Markdown table cell (chain text is untrusted)."""
    text = str(value)
    for ch in "\\|`*_[]<>#":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", " ").replace("\r", " ")


def schedule(first: date | None, end: date) -> list[tuple[str, str]]:
    """(due date, what) for the periodic disclosures of a campaign that started on `first`."""
    dates = due_dates(first, end)
    out = [
        (d.isoformat(), f"第 {n} 期定期披露 / periodic disclosure {n}")
        for n, d in enumerate(dates, 1)
    ]
    if out:
        out[-1] = (out[-1][0], "下一期定期披露 / next periodic disclosure")
    return out


def _table(t: Table | None, lines: list[str], head: list[str], rows: list[list[str]]) -> None:
    if t is not None:
        lines += [f"### {t.title_zh} / {t.title_en}", ""]
    if not rows:
        lines += ["（无 / none）", ""]
        return
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    lines += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
    lines.append("")


def write(report: Report, out: Path, manifest: Manifest) -> list[Path]:
    """Write the disclosure of `report`'s period to `out` (Markdown, UTF-8)."""
    handed: dict[str, int] = defaultdict(int)
    people = 0
    for r in report.journal():
        if r[6] == "HandedOver":
            handed[r[11]] += int(r[12])
            people += int(orjson.loads(r[15])["beneficiaries"])
    ctx, books = report.context, report.books
    tables = {t.name: t for t in report.tables}
    end = date.fromisoformat(ctx.period_to)
    if books.time:  # the schedule runs to what the record has reached, not to a future day
        end = min(end, datetime.fromtimestamp(books.time, UTC).date())
    first = books.first_activity
    campaign_start = datetime.fromtimestamp(first, UTC).date() if first else None
    items = {k: v[0] for k, v in books.items.items()}
    lines = [
        "# 慈善信息公开 / Charity disclosure",
        "",
        f"- 期间 / Period: {ctx.period_from} — {ctx.period_to} ({ctx.tz})",
        f"- 链 / Chain: {ctx.chain_id}; 合约 / contracts: "
        + ", ".join(f"{k} {v}" for k, v in ctx.contracts.items()),
        f"- 事件序号 / Events: seq {ctx.first_seq}–{ctx.last_seq}; 账本头 / ledger head {ctx.head}",
        f"- 公开募捐活动 / Public fundraising campaign: 本部署的救灾行动 / this deployment's "
        f"relief operation, 自 / since {campaign_start.isoformat() if campaign_start else '—'}",
        "",
        "## 一、募集情况 / Funds received",
        "",
    ]
    money = tables["money_reconciliation"]
    _table(
        money,
        lines,
        [
            "币种 Currency",
            "期初结存 Opening",
            "本期收入 Received",
            "本期支出 Spent",
            "期末结存 Closing",
        ],
        [[r[0], *(_major(int(v), str(r[0])) for v in r[1:5])] for r in money.rows],
    )
    goods = tables["goods_reconciliation"]
    lines += ["## 二、物资接收与使用 / Goods received and used", ""]
    _table(
        goods,
        lines,
        [
            "物资 Item",
            "期初 Opening",
            "受赠 Donated",
            "采购 Bought",
            "发放 Handed over",
            "核减 Adjusted",
            "途损 Lost",
            "期末 Closing",
        ],
        [[r[1] or r[0], *map(str, r[2:9])] for r in goods.rows],
    )
    lines += ["## 三、使用情况 / How it was used", ""]
    _table(
        None,
        lines,
        ["物资 Item", "本期发放数量 Units handed over"],
        [[items.get(k, k), f"{v:,}"] for k, v in sorted(handed.items())],
    )
    lines += [f"本期受益人次 / Beneficiaries this period: {people:,}", ""]
    pools = tables["pools"]
    lines += ["## 四、慈善项目 / Charity projects (earmarked pools)", ""]
    _table(
        pools,
        lines,
        [
            "项目 Project",
            "币种 Currency",
            "本期收入 Received",
            "本期拨付 Allocated",
            "本期支出 Spent",
            "期末未拨付 Unallocated",
        ],
        [
            [
                f"{r[2]}:{str(r[3])[:12]}" if r[3] else "一般 / general",
                r[1],
                *(_major(int(r[i]), str(r[1])) for i in (6, 7, 9, 10)),
            ]
            for r in pools.rows
        ],
    )
    lines += ["## 五、披露时间表 / Disclosure schedule", ""]
    _table(
        None,
        lines,
        ["应披露日 Due", "事项 What"],
        [list(x) for x in schedule(campaign_start, end)],
    )
    lines += [
        "持续超过六个月的公开募捐活动和慈善项目，至少每三个月公开一次；结束后三个月内全面公开。"
        " / Campaigns and projects running longer than six months disclose at least every three "
        "months, and in full within three months of their end (the end date is declared by the "
        "charity; the chain does not record it).",
        "",
        "## 六、核验 / Verification",
        "",
        "本文件的每个数字都可由链上数据重新计算：`aidledger report verify` 本文件。"
        " / Every figure here re-derives from the chain: run `aidledger report verify` on this "
        "file with any RPC URL of the chain above.",
        "",
    ]
    out.write_text("\n".join(lines), encoding="utf-8")
    return [out]
