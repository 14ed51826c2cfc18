"""Goods in the IATI export: hand-overs carry no money value on chain, so they are reported as
an output result (units handed over per item, people and households reached) rather than as
transactions; the sites that held or moved goods name the implementing organisations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from lxml import etree

from ledger.reports.books import Books
from ledger.reports.formats.xml_text import narrated
from ledger.reports.journal import Row
from ledger.reports.tables import Context

_GOODS = frozenset(
    (
        "LotCreated",
        "ShipmentDispatched",
        "ShipmentLineDispatched",
        "ShipmentLineReceived",
        "HandedOver",
        "LotAdjusted",
    )
)
_UNITS = {1: ("People reached", "受益人数（人）"), 2: ("Households reached", "受益户数（户）")}


class Tally:
    """What the period's journal rows say about goods, counted while they stream by."""

    def __init__(self) -> None:
        self.events: dict[str, int] = {}
        self.handed_over: dict[str, int] = {}  # item -> units
        self.reached: dict[int, int] = {}  # beneficiary unit (1 people, 2 households) -> count
        self.sites: dict[str, None] = {}  # sites that held, moved or handed over goods

    def watch(self, rows: Iterable[Row]) -> Iterator[Row]:
        """The rows, unchanged, counted on the way."""
        events = self.events
        for r in rows:
            event = r[6]
            events[event] = events.get(event, 0) + 1
            if event in _GOODS:
                self._goods(r)
            yield r

    def _goods(self, r: Row) -> None:
        for site in (r[13], r[14]):
            if site:
                self.sites[site] = None
        if r[6] == "HandedOver":
            a: dict[str, Any] = orjson.loads(r[15])
            self.handed_over[r[11]] = self.handed_over.get(r[11], 0) + int(r[12])
            unit = int(a["unit"])
            self.reached[unit] = self.reached.get(unit, 0) + int(a["beneficiaries"])

    def implementers(self, books: Books) -> list[str]:
        """Names of the organisations running those sites, sorted (after the fold)."""
        orgs = {books.sites[s][3] for s in self.sites if s in books.sites}
        return sorted({books.orgs.get(o, o) for o in orgs})


def _indicator(result: etree._Element, ctx: Context, en: str, zh: str, value: int) -> None:
    indicator = etree.SubElement(result, "indicator", measure="1", ascending="1")
    narrated(etree.SubElement(indicator, "title"), en, zh)
    period = etree.SubElement(indicator, "period")
    etree.SubElement(period, "period-start", {"iso-date": ctx.period_from})
    etree.SubElement(period, "period-end", {"iso-date": ctx.period_to})
    etree.SubElement(period, "actual", value=str(value))


def goods_result(tally: Tally, books: Books, ctx: Context) -> etree._Element | None:
    """The output result of the period (None when nothing was handed over)."""
    if not tally.handed_over and not tally.reached:
        return None
    result = etree.Element("result", type="1")
    narrated(
        etree.SubElement(result, "title"),
        "Relief goods handed over and people reached",
        "发放的救援物资与受益人",
    )
    items = []
    for item, units in tally.handed_over.items():
        name, unit = books.items.get(item, (item, ""))
        items.append((name, item, unit, units))
    for name, _, unit, units in sorted(items):
        _indicator(result, ctx, f"{name} ({unit}) handed over", f"发放的 {name}（{unit}）", units)
    for code, count in sorted(tally.reached.items()):
        en, zh = _UNITS.get(code, (f"Beneficiaries (unit {code})", f"受益人（单位 {code}）"))
        _indicator(result, ctx, en, zh, count)
    result.tail = "\n"
    return result
