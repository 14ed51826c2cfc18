"""IATI 2.03 activity XML: the deployment's relief operation as one `iati-activity`, its money
flows of the period as transactions, its goods as an output result (docs/reports.md, "IATI 2.03
and FTS"). Valid against the vendored schema (`ledger/reports/schemas/iati-2.03/`).

Written with `lxml.etree.xmlfile`, in two streamed passes and flat memory: the transactions go
to a scratch file while the journal is folded; then the activity is written, its header made from
the whole fold (implementing organisations, start date, counts), the transactions copied in
element by element, and the result after them, as the schema orders them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree

from ledger.reports.build import Report, zone
from ledger.reports.formats.flows import (
    ALLOCATION,
    GIFT,
    PLEDGE,
    RELEASE,
    SPEND,
    Flow,
    major,
    money_flows,
)
from ledger.reports.formats.iati_results import Tally, goods_result
from ledger.reports.formats.publisher import Publisher, publisher
from ledger.reports.formats.types import Manifest
from ledger.reports.formats.xml_text import XML_LANG, narrated, text
from ledger.reports.journal import iso_time

VERSION = "2.03"
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "iati-2.03"
# IATI TransactionType codes
TRANSACTION_TYPES = {GIFT: "1", PLEDGE: "11", ALLOCATION: "2", RELEASE: "2", SPEND: "4"}
SECTOR = ("72010", "Material relief assistance and services")  # OECD DAC 5-digit purpose code
_STATUS_IMPLEMENTATION = "2"
_ROLE_ACCOUNTABLE, _ROLE_IMPLEMENTING = "2", "4"
_DATE_PLANNED_START, _DATE_ACTUAL_START = "1", "2"

# the element writer declares the xml: prefix (legal, bound to its own namespace) or invents one
_XML_NS = {"xml": "http://www.w3.org/XML/1998/namespace"}


def schema() -> etree.XMLSchema:
    """The vendored IATI 2.03 activity schema (it includes its neighbours by relative path)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH / "iati-activities-schema.xsd")))


def identifier(report: Report, pub: Publisher) -> str:
    """The activity's iati-identifier: the publisher's identifier, then the deployment."""
    return f"{pub.ref}-{report.context.contracts.get('AidRegistry', report.context.chain_id)}"


def _transaction(flow: Flow) -> etree._Element:
    t = etree.Element("transaction", ref=flow.ref)
    etree.SubElement(t, "transaction-type", code=TRANSACTION_TYPES[flow.kind])
    etree.SubElement(t, "transaction-date", {"iso-date": flow.day})
    currency = text(flow.currency)
    value = etree.SubElement(t, "value", {"currency": currency, "value-date": flow.day})
    value.text = major(flow.amount, flow.currency)
    narrated(etree.SubElement(t, "description"), f"{flow.note} (seq {flow.seq})")
    if flow.incoming:
        provider = etree.SubElement(t, "provider-org")
        if flow.party_ref:
            provider.set("ref", flow.party_ref)
        narrated(provider, flow.party)
    elif flow.party:
        narrated(etree.SubElement(t, "receiver-org"), flow.party)
    return t


def _description(report: Report, tally: Tally) -> tuple[str, str]:
    ctx, n = report.context, tally.events.get
    registry = ctx.contracts.get("AidRegistry", "")
    en = (
        f"Money and relief goods of the AidLedger deployment {registry} on chain {ctx.chain_id}, "
        f"as recorded on chain from {ctx.period_from} to {ctx.period_to} ({ctx.tz}). "
        f"Money gifts: {n('GiftRecorded', 0)}; pledges: {n('PledgeRecorded', 0)}; "
        f"allocations: {n('FundsAllocated', 0)}; purchases: {n('AllocationSpent', 0)}; "
        f"in-kind gifts: {n('InKindGiftRecorded', 0)}; hand-overs: {n('HandedOver', 0)}. "
        "Goods have no money value on chain: they are reported as results, not transactions. "
        "Each transaction's ref is its Ethereum transaction hash and log index."
    )
    zh = (
        f"AidLedger 部署 {registry}（链 {ctx.chain_id}）在 {ctx.period_from} 至 {ctx.period_to}"
        f"（{ctx.tz}）期间的链上记录：资金捐赠 {n('GiftRecorded', 0)} 笔、"
        f"认捐 {n('PledgeRecorded', 0)} 笔、拨付 {n('FundsAllocated', 0)} 笔、"
        f"采购 {n('AllocationSpent', 0)} 笔；物资捐赠 {n('InKindGiftRecorded', 0)} 笔、"
        f"发放 {n('HandedOver', 0)} 次。物资在链上没有金额，作为成果报告，不作为交易。"
        "每笔交易的 ref 为以太坊交易哈希与日志序号。"
    )
    if not ctx.complete:
        en += " The mirror had not reached the period's end: later events are not included."
        zh += "镜像尚未同步到期末：之后的事件未包括在内。"
    return en, zh


def _header(report: Report, pub: Publisher, tally: Tally) -> Iterator[etree._Element]:
    """The activity's elements before its transactions, in the schema's order."""
    ctx, books = report.context, report.books
    iati_id = etree.Element("iati-identifier")
    iati_id.text = text(identifier(report, pub))
    yield iati_id
    org = etree.Element("reporting-org", ref=text(pub.ref), type=text(pub.type))
    yield narrated(org, pub.name)
    yield narrated(
        etree.Element("title"),
        f"Relief operation recorded on AidLedger (chain {ctx.chain_id})",
        f"AidLedger 链上记录的救援行动（链 {ctx.chain_id}）",
    )
    yield narrated(etree.Element("description", type="1"), *_description(report, tally))
    yield narrated(
        etree.Element(
            "participating-org", ref=text(pub.ref), type=text(pub.type), role=_ROLE_ACCOUNTABLE
        ),
        pub.name,
    )
    for name in tally.implementers(books):
        yield narrated(etree.Element("participating-org", role=_ROLE_IMPLEMENTING), name)
    yield etree.Element("activity-status", code=_STATUS_IMPLEMENTATION)
    if books.first_activity:
        started = datetime.fromtimestamp(books.first_activity, zone(ctx.tz)).date().isoformat()
        date = etree.Element("activity-date", {"type": _DATE_ACTUAL_START, "iso-date": started})
    else:
        date = etree.Element(
            "activity-date", {"type": _DATE_PLANNED_START, "iso-date": ctx.period_from}
        )
    yield date
    sector = etree.Element("sector", vocabulary="1", code=SECTOR[0])
    yield narrated(sector, SECTOR[1])


def _copy(part: Path, xf: Any) -> None:
    """The transactions of the scratch file, one element at a time (flat memory)."""
    for _, element in etree.iterparse(str(part), tag="transaction", resolve_entities=False):
        element.tail = "\n"  # set, not parsed: the parser may not have read it yet
        xf.write(element)
        element.clear()
        parent = element.getparent()
        while element.getprevious() is not None:
            del parent[0]


def _transactions(report: Report, tally: Tally, part: Path) -> None:
    """Pass one: fold the journal, writing its money flows as transactions to `part`."""
    with (
        part.open("wb") as f,
        etree.xmlfile(f, encoding="utf-8") as xf,
        xf.element("transactions"),
    ):
        rows = tally.watch(report.journal())
        for flow in money_flows(rows, report.books, report.context.tz):
            xf.write(_transaction(flow))


def _activity(report: Report, pub: Publisher, tally: Tally, part: Path, out: Path) -> None:
    """Pass two: the activity, its header from the whole fold, `part`'s transactions, results."""
    books = report.books
    attributes = {XML_LANG: "en", "humanitarian": "1"}
    if books.time:
        attributes["last-updated-datetime"] = iso_time(books.time)
    with out.open("wb") as f:
        with etree.xmlfile(f, encoding="utf-8") as xf:
            xf.write_declaration()
            with xf.element("iati-activities", version=VERSION):
                xf.write("\n")
                with xf.element("iati-activity", attributes, nsmap=_XML_NS):
                    xf.write("\n")
                    for element in _header(report, pub, tally):
                        element.tail = "\n"
                        xf.write(element)
                    _copy(part, xf)
                    result = goods_result(tally, books, report.context)
                    if result is not None:
                        xf.write(result)
                xf.write("\n")
        f.write(b"\n")


def write(report: Report, out: Path, manifest: Manifest) -> list[Path]:
    """Write `report` to `out` as one IATI 2.03 activity (amounts in major units)."""
    tally = Tally()
    part = out.with_name(out.name + ".transactions")
    try:
        _transactions(report, tally, part)
        _activity(report, publisher(report.context.chain_id), tally, part, out)
    finally:
        part.unlink(missing_ok=True)
    return [out]
