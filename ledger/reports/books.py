"""The report's figures: running totals folded over the sequenced events, one small rule per
event, with no code shared with the indexer. A report folds the mirror's `raw_events`;
`aidledger report verify` folds the chain's logs with the same rules (docs/reports.md).

Every counter is cumulative from the deployment; a period's flows are the closing counters
minus the opening ones (taken just before the period's first event).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ledger.reports.events import ReportEvent

ZERO = "0x" + "00" * 32


def ref(value: str | None) -> str | None:
    """An id as reports show it: lower-case hex, a zero id as None."""
    if value is None:
        return None
    value = value.lower()
    return None if value in (ZERO, "0x") else value


@dataclass(slots=True)
class PoolBook:
    """Money of one currency and earmark. Balances: unallocated = received - allocated +
    released; committed (allocated, not yet spent or released) = allocated - released - spent."""

    pool_id: str
    currency: str
    earmark_kind: int
    earmark: str | None
    received: int = 0
    allocated: int = 0
    released: int = 0
    spent: int = 0

    @property
    def unallocated(self) -> int:
        return self.received - self.allocated + self.released

    @property
    def committed(self) -> int:
        return self.allocated - self.released - self.spent


@dataclass(slots=True)
class LotBook:
    """Units of one lot at one site: on_hand = created - shipped - handed_over - adjusted_out."""

    lot_id: str
    item_id: str
    site_id: str
    origin: int
    expiry: int
    batch: str | None
    created: int = 0
    shipped: int = 0
    handed_over: int = 0
    adjusted_out: int = 0

    @property
    def on_hand(self) -> int:
        return self.created - self.shipped - self.handed_over - self.adjusted_out


@dataclass(slots=True)
class LineBook:
    """One shipment line: in transit = quantity - received - declared until settled."""

    shipment_id: str
    line_index: int
    lot_id: str
    item_id: str
    from_site: str
    to_site: str
    quantity: int
    dispatched_at: int
    received: int = 0
    declared: int = 0
    reason: int = 0
    settled: bool = False

    @property
    def in_transit(self) -> int:
        return 0 if self.settled else self.quantity


@dataclass(slots=True)
class NeedBook:
    """A recipient site's need and the units handed over against it."""

    need_id: str
    site_id: str
    item_id: str
    quantity: int
    priority: int
    deadline: int
    fulfilled: int = 0
    open: bool = True


@dataclass(slots=True)
class PledgeBook:
    """A pledge and the gifts that paid it."""

    pledge_id: str
    currency: str
    amount: int
    due_date: int
    paid: int = 0


@dataclass(slots=True)
class ItemFlows:
    """Per item, cumulative: goods that entered (in-kind and purchased lots), left (handed over,
    adjusted out, declared lost on a shipment line) and moved (dispatched, received)."""

    donated: int = 0
    purchased: int = 0
    handed_over: int = 0
    adjusted_out: int = 0
    declared: int = 0
    dispatched: int = 0
    received: int = 0

    @property
    def entered(self) -> int:
        return self.donated + self.purchased

    @property
    def left(self) -> int:
        return self.handed_over + self.adjusted_out + self.declared


@dataclass(slots=True)
class Discrepancy:
    """A shipment line received short, with the reason given."""

    seq: int
    time: int
    shipment_id: str
    line_index: int
    lot_id: str
    item_id: str
    to_site: str
    dispatched: int
    received: int
    declared: int
    reason: int


@dataclass(slots=True)
class Books:
    """Everything the folded events say, with the names the registry gave."""

    orgs: dict[str, str] = field(default_factory=dict)
    # site -> (name, region, kind, org)
    sites: dict[str, tuple[str, str, int, str]] = field(default_factory=dict)
    items: dict[str, tuple[str, str]] = field(default_factory=dict)  # name, unit
    pools: dict[str, PoolBook] = field(default_factory=dict)
    allocations: dict[str, str] = field(default_factory=dict)  # allocation -> pool
    lots: dict[str, LotBook] = field(default_factory=dict)
    lines: dict[tuple[str, int], LineBook] = field(default_factory=dict)
    shipments: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # from, to, time
    needs: dict[str, NeedBook] = field(default_factory=dict)
    pledges: dict[str, PledgeBook] = field(default_factory=dict)
    item_flows: dict[str, ItemFlows] = field(default_factory=dict)
    gifts: dict[str, int] = field(default_factory=dict)  # money gift count per currency
    in_kind_gifts: int = 0
    beneficiaries: int = 0
    discrepancies: list[Discrepancy] = field(default_factory=list)
    attestations: list[dict[str, Any]] = field(default_factory=list)
    first_activity: int = 0  # time of the first gift or lot: a campaign's start
    seq: int = 0
    head: str = ZERO
    time: int = 0

    def apply(self, e: ReportEvent) -> None:
        """Fold one event (in sequence order)."""
        rule = _RULES.get(e.name)
        if rule is not None:
            rule(self, e)
        self.seq, self.head, self.time = e.seq, e.args.get("head", self.head), e.time

    def snapshot(self) -> Books:
        """A copy of every counter, for the opening balances; the catalogue is shared."""
        return replace(
            self,
            pools={k: replace(v) for k, v in self.pools.items()},
            lots={k: replace(v) for k, v in self.lots.items()},
            lines={k: replace(v) for k, v in self.lines.items()},
            needs={k: replace(v) for k, v in self.needs.items()},
            pledges={k: replace(v) for k, v in self.pledges.items()},
            item_flows={k: replace(v) for k, v in self.item_flows.items()},
            gifts=dict(self.gifts),
            discrepancies=[],
            attestations=[],
        )

    def flows(self, item_id: str) -> ItemFlows:
        """The item's cumulative flows (created on first use)."""
        flows = self.item_flows.get(item_id)
        if flows is None:
            flows = self.item_flows[item_id] = ItemFlows()
        return flows

    # --- what the journal shows beside each event ---------------------------------------

    def currency_of(self, e: ReportEvent) -> str | None:
        """The currency an event's amount is in, if it moves money."""
        a = e.args
        if "currency" in a:
            return str(a["currency"])
        pool = a.get("poolId")
        if pool is None and "allocationId" in a:
            pool = self.allocations.get(str(a["allocationId"]).lower())
        book = self.pools.get(str(pool).lower()) if pool else None
        return book.currency if book else None

    def sites_of(self, e: ReportEvent) -> tuple[str | None, str | None]:
        """(site, destination site) an event concerns."""
        a = e.args
        if "siteId" in a:
            return str(a["siteId"]).lower(), None
        if "fromSite" in a:
            return str(a["fromSite"]).lower(), str(a["toSite"]).lower()
        if "shipmentId" in a:
            s = self.shipments.get(str(a["shipmentId"]).lower())
            return (s[0], s[1]) if s else (None, None)
        if "lotId" in a:
            lot = self.lots.get(str(a["lotId"]).lower())
            return (lot.site_id if lot else None), None
        if "needId" in a:
            need = self.needs.get(str(a["needId"]).lower())
            return (need.site_id if need else None), None
        return None, None

    def item_of(self, e: ReportEvent) -> str | None:
        """The item an event's quantity counts."""
        a = e.args
        if "itemId" in a:
            return str(a["itemId"]).lower()
        lot = self.lots.get(str(a.get("lotId", "")).lower())
        return lot.item_id if lot else None


Rule = Callable[[Books, ReportEvent], None]
_RULES: dict[str, Rule] = {}


def _rule(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        _RULES[name] = fn
        return fn

    return register


def _id(a: dict[str, Any], key: str) -> str:
    return str(a[key]).lower()


@_rule("OrganisationRegistered")
def _org(b: Books, e: ReportEvent) -> None:
    b.orgs[_id(e.args, "orgId")] = str(e.args["name"])


@_rule("SiteRegistered")
def _site(b: Books, e: ReportEvent) -> None:
    a = e.args
    b.sites[_id(a, "siteId")] = (str(a["name"]), str(a["region"]), int(a["kind"]), _id(a, "orgId"))


@_rule("ItemRegistered")
def _item(b: Books, e: ReportEvent) -> None:
    a = e.args
    b.items[_id(a, "itemId")] = (str(a["name"]), str(a["unit"]))


@_rule("AttestationPosted")
def _attestation(b: Books, e: ReportEvent) -> None:
    b.attestations.append({**e.args, "block": e.block, "time": e.time, "tx_hash": e.tx_hash})


@_rule("GiftRecorded")
def _gift(b: Books, e: ReportEvent) -> None:
    a = e.args
    pool_id = _id(a, "poolId")
    pool = b.pools.get(pool_id)
    if pool is None:
        pool = b.pools[pool_id] = PoolBook(
            pool_id, str(a["currency"]), int(a["earmarkKind"]), ref(a["earmark"])
        )
    pool.received += a["amount"]
    b.first_activity = b.first_activity or e.time
    b.gifts[pool.currency] = b.gifts.get(pool.currency, 0) + 1
    pledge = ref(a["pledgeId"])
    if pledge is not None and pledge in b.pledges:
        b.pledges[pledge].paid += a["amount"]


@_rule("InKindGiftRecorded")
def _in_kind(b: Books, e: ReportEvent) -> None:
    b.in_kind_gifts += 1


@_rule("PledgeRecorded")
def _pledge(b: Books, e: ReportEvent) -> None:
    a = e.args
    pledge_id = _id(a, "pledgeId")
    b.pledges[pledge_id] = PledgeBook(pledge_id, str(a["currency"]), a["amount"], a["dueDate"])


@_rule("FundsAllocated")
def _allocated(b: Books, e: ReportEvent) -> None:
    a = e.args
    pool_id = _id(a, "poolId")
    b.allocations[_id(a, "allocationId")] = pool_id
    b.pools[pool_id].allocated += a["amount"]


@_rule("AllocationReleased")
def _released(b: Books, e: ReportEvent) -> None:
    b.pools[_id(e.args, "poolId")].released += e.args["amount"]


@_rule("AllocationSpent")
def _spent(b: Books, e: ReportEvent) -> None:
    a = e.args
    pool_id = b.allocations[_id(a, "allocationId")]
    b.pools[pool_id].spent += a["amount"]


@_rule("LotCreated")
def _lot(b: Books, e: ReportEvent) -> None:
    a = e.args
    lot_id, item_id = _id(a, "lotId"), _id(a, "itemId")
    origin = int(a["origin"])
    lot = b.lots[lot_id] = LotBook(
        lot_id, item_id, _id(a, "siteId"), origin, int(a["expiry"]), ref(a["batch"])
    )
    lot.created = a["quantity"]
    b.first_activity = b.first_activity or e.time
    flows = b.flows(item_id)
    if origin == 1:
        flows.donated += a["quantity"]
    elif origin == 2:
        flows.purchased += a["quantity"]


@_rule("NeedPosted")
def _need(b: Books, e: ReportEvent) -> None:
    a = e.args
    need_id = _id(a, "needId")
    b.needs[need_id] = NeedBook(
        need_id, _id(a, "siteId"), _id(a, "itemId"), a["quantity"], a["priority"], a["deadline"]
    )


@_rule("NeedClosed")
def _need_closed(b: Books, e: ReportEvent) -> None:
    b.needs[_id(e.args, "needId")].open = False


@_rule("ShipmentDispatched")
def _shipment(b: Books, e: ReportEvent) -> None:
    a = e.args
    b.shipments[_id(a, "shipmentId")] = (_id(a, "fromSite"), _id(a, "toSite"), e.time)


@_rule("ShipmentLineDispatched")
def _line(b: Books, e: ReportEvent) -> None:
    a = e.args
    shipment_id, lot_id = _id(a, "shipmentId"), _id(a, "lotId")
    from_site, to_site, at = b.shipments[shipment_id]
    lot = b.lots[lot_id]
    lot.shipped += a["quantity"]
    b.flows(lot.item_id).dispatched += a["quantity"]
    b.lines[(shipment_id, a["lineIndex"])] = LineBook(
        shipment_id, a["lineIndex"], lot_id, lot.item_id, from_site, to_site, a["quantity"], at
    )


@_rule("ShipmentLineReceived")
def _received(b: Books, e: ReportEvent) -> None:
    a = e.args
    line = b.lines[(_id(a, "shipmentId"), a["lineIndex"])]
    line.received, line.declared, line.reason = a["received"], a["declared"], int(a["reason"])
    line.settled = True
    flows = b.flows(line.item_id)
    flows.received += a["received"]
    flows.declared += a["declared"]
    if a["declared"]:
        b.discrepancies.append(
            Discrepancy(
                e.seq,
                e.time,
                line.shipment_id,
                line.line_index,
                line.lot_id,
                line.item_id,
                line.to_site,
                line.quantity,
                a["received"],
                a["declared"],
                int(a["reason"]),
            )
        )


@_rule("HandedOver")
def _handed_over(b: Books, e: ReportEvent) -> None:
    a = e.args
    lot = b.lots[_id(a, "lotId")]
    lot.handed_over += a["quantity"]
    b.flows(lot.item_id).handed_over += a["quantity"]
    b.beneficiaries += a["beneficiaries"]
    need = b.needs.get(_id(a, "needId"))
    if need is not None:
        need.fulfilled += a["quantity"]


@_rule("LotAdjusted")
def _adjusted(b: Books, e: ReportEvent) -> None:
    a = e.args
    lot = b.lots[_id(a, "lotId")]
    lot.adjusted_out -= a["delta"]
    b.flows(lot.item_id).adjusted_out -= a["delta"]
