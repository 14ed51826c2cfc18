"""The report's tables after the journal: balances at the period's start and end, the
reconciliations, open shipments, discrepancies, expiring stock, unmet needs and pledges, all
from two folds of the events (opening and closing `Books`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from ledger.reports.books import Books, ItemFlows, LineBook, LotBook
from ledger.reports.tables import Context, Row, Table

EXPIRY_WINDOW = 30 * 86_400  # stock expiring within 30 days of the period's end is listed
REASONS = {0: "none", 1: "damaged", 2: "lost", 3: "short", 4: "expired", 5: "refused"}
EARMARKS = {0: "none", 1: "purpose", 2: "region", 3: "category"}


def day(ts: int) -> str:
    """A unix time as its UTC date, or "" for none."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d") if ts else ""


def _held(b: Books) -> dict[str, int]:
    """Per item, units on hand at any site plus in transit (one pass over lots and lines)."""
    held: dict[str, int] = defaultdict(int)
    for lot in b.lots.values():
        held[lot.item_id] += lot.on_hand
    for line in b.lines.values():
        held[line.item_id] += line.in_transit
    return held


class Summary:
    """Builds every table from the opening and closing folds."""

    def __init__(self, ctx: Context, opening: Books, closing: Books) -> None:
        self.ctx, self.opening, self.closing = ctx, opening, closing
        self.site = ctx.filters.get("site")
        self.currency = ctx.filters.get("currency")

    def _site_name(self, site: str) -> str:
        known = self.closing.sites.get(site)
        return known[0] if known else ""

    def _item_name(self, item: str) -> str:
        known = self.closing.items.get(item)
        return known[0] if known else ""

    def _money(self, currency: str) -> bool:
        return self.currency is None or currency == self.currency

    def _at(self, *sites: str) -> bool:
        return self.site is None or self.site in sites

    def tables(self) -> list[Table]:
        """Every table, in the order reports show them."""
        return [
            self.money_reconciliation(),
            self.pools(),
            self.goods_reconciliation(),
            self.lots(),
            self.open_shipments(),
            self.discrepancies(),
            self.stock_expiry(),
            self.needs_unmet(),
            self.pledges(),
        ]

    def pools(self) -> Table:
        """Per pool (currency and earmark): unallocated and committed money, start to end."""
        rows: list[Row] = []
        ordered = sorted(self.closing.pools.items(), key=lambda kv: (kv[1].currency, kv[0]))
        for pool_id, end in ordered:
            if not self._money(end.currency):
                continue
            start = self.opening.pools.get(pool_id)
            o_unalloc = start.unallocated if start else 0
            o_commit = start.committed if start else 0
            flows = [
                end.received - (start.received if start else 0),
                end.allocated - (start.allocated if start else 0),
                end.released - (start.released if start else 0),
                end.spent - (start.spent if start else 0),
            ]
            rows.append(
                (
                    pool_id,
                    end.currency,
                    EARMARKS.get(end.earmark_kind, str(end.earmark_kind)),
                    end.earmark or "",
                    o_unalloc,
                    o_commit,
                    *flows,
                    end.unallocated,
                    end.committed,
                )
            )
        return Table(
            "pools",
            "Money pools: opening and closing balances",
            "资金池：期初与期末余额",
            (
                "pool_id",
                "currency",
                "earmark_kind",
                "earmark",
                "opening_unallocated",
                "opening_committed",
                "received",
                "allocated",
                "released",
                "spent",
                "closing_unallocated",
                "closing_committed",
            ),
            rows,
        )

    def money_reconciliation(self) -> Table:
        """Per currency: opening held + received - spent = closing held (held: not yet spent)."""
        per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for pool_id, end in self.closing.pools.items():
            if not self._money(end.currency):
                continue
            start = self.opening.pools.get(pool_id)
            figures = per[end.currency]
            if start is not None:
                figures[0] += start.unallocated + start.committed
                figures[1] -= start.received
                figures[2] -= start.spent
            figures[1] += end.received
            figures[2] += end.spent
            figures[3] += end.unallocated + end.committed
        rows: list[Row] = [
            (c, o, r, s, cl, o + r - s - cl) for c, (o, r, s, cl) in sorted(per.items())
        ]
        return Table(
            "money_reconciliation",
            "Money reconciliation per currency (minor units)",
            "资金对账（按币种，最小货币单位）",
            ("currency", "opening_held", "received", "spent", "closing_held", "difference"),
            rows,
        )

    def _item_rows(self) -> list[tuple[str, ItemFlows, ItemFlows]]:
        out = []
        for item, end in sorted(self.closing.item_flows.items()):
            start = self.opening.item_flows.get(item) or ItemFlows()
            out.append((item, start, end))
        return out

    def goods_reconciliation(self) -> Table:
        """Per item: opening held + entered - left = closing held (held: on hand + in transit)."""
        rows: list[Row] = []
        if self.site is None:
            held_then, held_now = _held(self.opening), _held(self.closing)
            for item, start, end in self._item_rows():
                opening, closing = held_then.get(item, 0), held_now.get(item, 0)
                donated = end.donated - start.donated
                purchased = end.purchased - start.purchased
                handed = end.handed_over - start.handed_over
                adjusted = end.adjusted_out - start.adjusted_out
                declared = end.declared - start.declared
                diff = opening + donated + purchased - handed - adjusted - declared - closing
                rows.append(
                    (
                        item,
                        self._item_name(item),
                        opening,
                        donated,
                        purchased,
                        handed,
                        adjusted,
                        declared,
                        closing,
                        diff,
                    )
                )
        return Table(
            "goods_reconciliation",
            "Goods reconciliation per item (units)",
            "物资对账（按品项，单位数）",
            (
                "item_id",
                "item",
                "opening_held",
                "donated",
                "purchased",
                "handed_over",
                "adjusted_out",
                "lost_in_transit",
                "closing_held",
                "difference",
            ),
            rows,
        )

    def lots(self) -> Table:
        """Per site and lot: on hand at the start, what came and went, on hand at the end."""
        rows: list[Row] = []
        ordered = sorted(self.closing.lots.values(), key=lambda lot: (lot.site_id, lot.lot_id))
        for end in ordered:
            if not self._at(end.site_id):
                continue
            start = self.opening.lots.get(end.lot_id)
            base = start or LotBook(end.lot_id, "", "", 0, 0, None)
            flows = (
                end.created - base.created,
                end.shipped - base.shipped,
                end.handed_over - base.handed_over,
                end.adjusted_out - base.adjusted_out,
            )
            if not any(flows) and base.on_hand == 0 and end.on_hand == 0:
                continue
            rows.append(
                (
                    end.site_id,
                    self._site_name(end.site_id),
                    end.lot_id,
                    end.item_id,
                    self._item_name(end.item_id),
                    end.batch or "",
                    day(end.expiry),
                    base.on_hand,
                    *flows,
                    end.on_hand,
                )
            )
        return Table(
            "lots",
            "Stock per site and lot",
            "各站点批次库存",
            (
                "site_id",
                "site",
                "lot_id",
                "item_id",
                "item",
                "batch",
                "expiry",
                "opening_on_hand",
                "created",
                "shipped",
                "handed_over",
                "adjusted_out",
                "closing_on_hand",
            ),
            rows,
        )

    def open_shipments(self) -> Table:
        """Shipment lines still in transit at the period's end."""
        end = self.ctx.end if self.ctx.complete else self.closing.time
        rows: list[Row] = []
        lines: list[LineBook] = sorted(
            (x for x in self.closing.lines.values() if not x.settled),
            key=lambda x: (x.dispatched_at, x.shipment_id, x.line_index),
        )
        for line in lines:
            if not self._at(line.from_site, line.to_site):
                continue
            rows.append(
                (
                    line.shipment_id,
                    line.line_index,
                    line.lot_id,
                    line.item_id,
                    self._item_name(line.item_id),
                    line.quantity,
                    line.from_site,
                    self._site_name(line.from_site),
                    line.to_site,
                    self._site_name(line.to_site),
                    day(line.dispatched_at),
                    max(0, (end - line.dispatched_at) // 86_400),
                )
            )
        return Table(
            "open_shipments",
            "Shipments in transit at the period's end",
            "期末在途运输",
            (
                "shipment_id",
                "line",
                "lot_id",
                "item_id",
                "item",
                "quantity",
                "from_site_id",
                "from_site",
                "to_site_id",
                "to_site",
                "dispatched",
                "days_in_transit",
            ),
            rows,
        )

    def discrepancies(self) -> Table:
        """Shipment lines received short in the period, with the reason given."""
        rows: list[Row] = [
            (
                day(d.time),
                d.shipment_id,
                d.line_index,
                d.lot_id,
                d.item_id,
                self._item_name(d.item_id),
                d.to_site,
                self._site_name(d.to_site),
                d.dispatched,
                d.received,
                d.declared,
                REASONS.get(d.reason, str(d.reason)),
            )
            for d in self.closing.discrepancies
            if d.seq >= self.ctx.first_seq and self._at(d.to_site)
        ]
        return Table(
            "discrepancies",
            "Discrepancies on receipt",
            "收货差异",
            (
                "date",
                "shipment_id",
                "line",
                "lot_id",
                "item_id",
                "item",
                "site_id",
                "site",
                "dispatched",
                "received",
                "declared",
                "reason",
            ),
            rows,
        )

    def stock_expiry(self) -> Table:
        """Lots with units on hand that expired, or expire within 30 days of the period's end."""
        end = self.ctx.end
        rows: list[Row] = []
        for lot in sorted(self.closing.lots.values(), key=lambda x: (x.expiry, x.lot_id)):
            if lot.on_hand <= 0 or not lot.expiry or lot.expiry > end + EXPIRY_WINDOW:
                continue
            if not self._at(lot.site_id):
                continue
            rows.append(
                (
                    lot.lot_id,
                    lot.item_id,
                    self._item_name(lot.item_id),
                    lot.site_id,
                    self._site_name(lot.site_id),
                    lot.on_hand,
                    day(lot.expiry),
                    "expired" if lot.expiry < end else "expiring",
                )
            )
        return Table(
            "stock_expiry",
            "Expired and expiring stock (within 30 days of the period's end)",
            "已过期及30天内到期的库存",
            ("lot_id", "item_id", "item", "site_id", "site", "on_hand", "expiry", "status"),
            rows,
        )

    def needs_unmet(self) -> Table:
        """Open needs not fully met at the period's end."""
        end = self.ctx.end
        rows: list[Row] = []
        for need in sorted(self.closing.needs.values(), key=lambda n: (n.deadline, n.need_id)):
            if not need.open or need.fulfilled >= need.quantity or not self._at(need.site_id):
                continue
            rows.append(
                (
                    need.need_id,
                    need.site_id,
                    self._site_name(need.site_id),
                    need.item_id,
                    self._item_name(need.item_id),
                    need.quantity,
                    need.fulfilled,
                    need.quantity - need.fulfilled,
                    need.priority,
                    day(need.deadline),
                    "yes" if need.deadline and need.deadline < end else "no",
                )
            )
        return Table(
            "needs_unmet",
            "Needs not yet met at the period's end",
            "期末未满足的需求",
            (
                "need_id",
                "site_id",
                "site",
                "item_id",
                "item",
                "quantity",
                "fulfilled",
                "remaining",
                "priority",
                "deadline",
                "overdue",
            ),
            rows,
        )

    def pledges(self) -> Table:
        """Every pledge at the period's end: promised, paid, the gap (pledges are not income)."""
        rows: list[Row] = [
            (p.pledge_id, p.currency, p.amount, p.paid, max(0, p.amount - p.paid), day(p.due_date))
            for p in sorted(self.closing.pledges.values(), key=lambda p: (p.currency, p.pledge_id))
            if self._money(p.currency)
        ]
        return Table(
            "pledges",
            "Pledges: promised, paid and the gap",
            "认捐：承诺、已付与缺口",
            ("pledge_id", "currency", "promised", "paid", "gap", "due"),
            rows,
        )
