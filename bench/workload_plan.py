"""The simulated relief operation behind bench/workload.py.

`Plan` keeps a local model of pools, allocations, lots, needs and shipments, and deals out rounds
of contract calls that the contracts will accept. A round becomes one block: anything created in
a round (money in a pool, a lot, a need, a shipment) is used from the next round on, and every
reduction of a balance is made by the one sender who owns it (the coordinator for pools and
allocations, a site's operator for its lots and needs), so a sender's nonce order is the order
the model assumed, whatever order the node puts different senders in.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from eth_abi import encode
from eth_utils import keccak

from ledger.chain.ids import ZERO32, currency_code, derive_id, label, region_earmark
from ledger.chain.types import (
    AdjustmentReason,
    BeneficiaryUnit,
    DiscrepancyReason,
    DispatchLine,
    EarmarkKind,
    GiftInput,
    InKindInput,
    PurchaseInput,
    ReceiptLine,
)

CNY = currency_code("CNY")
USD = currency_code("USD")

# key -> region; every site has one operator, named after the site.
WAREHOUSES = {"wh_wuhan": "CN-HB", "wh_guangzhou": "CN-GD", "wh_shanghai": "CN-SH"}
RECIPIENTS = {
    "jinyintan": "CN-HB",
    "huoshenshan": "CN-HB",
    "leishenshan": "CN-HB",
    "hb_community": "CN-HB",
    "zhongshan_gz": "CN-GD",
    "ruijin_sh": "CN-SH",
}
# key -> (category, unit)
ITEMS = {
    "mask": ("ppe", "piece"),
    "gloves": ("ppe", "pair"),
    "gown": ("ppe", "piece"),
    "rice": ("food", "kg"),
    "oil": ("food", "litre"),
    "test_kit": ("medical", "kit"),
    "oxygen": ("medical", "cylinder"),
}
PURPOSE = label("field hospitals")
PoolKey = tuple[bytes, EarmarkKind, bytes]
POOLS: list[tuple[PoolKey, float]] = [
    ((CNY, EarmarkKind.NONE, ZERO32), 0.62),
    ((USD, EarmarkKind.NONE, ZERO32), 0.08),
    ((CNY, EarmarkKind.CATEGORY, label("ppe")), 0.12),
    ((CNY, EarmarkKind.REGION, region_earmark("CN-HB")), 0.12),
    ((CNY, EarmarkKind.PURPOSE, PURPOSE), 0.06),
]
GIFT_AMOUNTS = (1_000, 5_000, 10_000, 20_000, 50_000, 100_000, 500_000, 2_000_000)


def site_id(key: str) -> bytes:
    """The bytes32 id of a site."""
    return derive_id("bench-site", key)


def item_id(key: str) -> bytes:
    """The bytes32 id of a catalogue item."""
    return derive_id("bench-item", key)


@dataclass(frozen=True)
class Op:
    """One transaction: who sends it, which function of which ledger, and what it emits."""

    sender: str
    contract: str  # "fund" or "supply"
    function: str
    args: tuple[object, ...]
    gas: int
    events: int


@dataclass
class Lot:
    """A lot as the model sees it."""

    lot_id: bytes
    item: str
    site: str
    on_hand: int
    ready: int


@dataclass
class Need:
    """An open need of a recipient site."""

    need_id: bytes
    site: str
    item: str
    remaining: int
    ready: int


@dataclass
class Allocation:
    """Money taken out of a pool, not yet spent or released."""

    allocation_id: bytes
    category: bytes | None
    remaining: int
    ready: int


@dataclass
class Shipment:
    """A dispatched shipment waiting for its receipt."""

    shipment_id: bytes
    to_site: str
    lines: list[tuple[Lot, int]]
    ready: int


@dataclass
class Plan:
    """Deals out rounds of valid operations, deterministically for one seed."""

    seed: int
    scale: int = 1  # operations per round: ~70 events per block at 1
    rng: random.Random = field(init=False)
    round: int = 0
    pools: dict[PoolKey, int] = field(default_factory=dict)
    pending_pools: dict[PoolKey, int] = field(default_factory=dict)
    pledges: list[bytes] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    stock: dict[str, list[Lot]] = field(default_factory=dict)
    needs: list[Need] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)
    _ids: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    # ----------------------------------------------------------------- rounds

    def next_round(self, budget: int) -> list[Op]:
        """The operations of one block, emitting at most `budget` events (at least one)."""
        for key, amount in self.pending_pools.items():
            self.pools[key] = self.pools.get(key, 0) + amount
        self.pending_pools.clear()
        self.round += 1
        ops: list[Op] = []
        for make, times in self._recipe():
            for _ in range(times * self.scale):
                left = budget - sum(op.events for op in ops)
                op = make(left) if left > 0 else None
                if op is not None:
                    ops.append(op)
        self.stock = {site: [x for x in lots if x.on_hand > 0] for site, lots in self.stock.items()}
        self.needs = [n for n in self.needs if n.remaining > 0]
        self.allocations = [a for a in self.allocations if a.remaining > 0]
        return ops

    def _recipe(self) -> list[tuple[Callable[[int], Op | None], int]]:
        r = self.rng
        return [
            (self._gifts, 1),
            (self._in_kind_gifts, int(r.random() < 0.5)),
            (self._pledge, int(r.random() < 0.1)),
            (self._need, r.randint(0, 2)),
            (self._allocation, r.randint(1, 2)),
            (self._purchase, r.randint(1, 2)),
            (self._dispatch, 2),
            (self._receipt, 3),  # at most the ready ones
            (self._hand_over, 4),
            (self._adjustment, int(r.random() < 0.3)),
            (self._release, int(r.random() < 0.05)),
        ]

    def _new_id(self, namespace: str) -> bytes:
        self._ids += 1
        return derive_id(f"bench-{namespace}", self.seed, self._ids)

    def _ready(self, ready: int) -> bool:
        return ready < self.round

    def _add_lot(self, lot: Lot) -> None:
        self.stock.setdefault(lot.site, []).append(lot)

    def _lots_at(self, site: str, item: str | None = None, minimum: int = 1) -> list[Lot]:
        return [
            lot
            for lot in self.stock.get(site, [])
            if lot.on_hand >= minimum and self._ready(lot.ready) and item in (None, lot.item)
        ]

    # ----------------------------------------------------------------- money

    def _gifts(self, budget: int) -> Op | None:
        count = min(budget, self.rng.randint(20, 50))
        gifts = [self._gift().as_abi() for _ in range(count)]
        return Op("intake", "fund", "recordGifts", ([*gifts],), 100_000 + 70_000 * count, count)

    def _gift(self) -> GiftInput:
        r = self.rng
        key = r.choices([k for k, _ in POOLS], [w for _, w in POOLS])[0]
        currency, kind, earmark = key
        amount = r.choice(GIFT_AMOUNTS) + r.randint(0, 999)
        self.pending_pools[key] = self.pending_pools.get(key, 0) + amount
        pays = self.pledges and currency == CNY and r.random() < 0.05
        gift_id = self._new_id("gift")
        return GiftInput(
            gift_id,
            currency,
            amount,
            kind,
            earmark,
            keccak(b"bank-line" + gift_id),
            keccak(b"donor" + gift_id),
            r.choice(self.pledges) if pays else ZERO32,
            f"Donor {self._ids}" if r.random() < 0.05 else "",
        )

    def _pledge(self, budget: int) -> Op | None:
        pledge_id = self._new_id("pledge")
        due = 1_900_000_000 + self.rng.randint(0, 10**7)
        args = (pledge_id, CNY, 1_000_000, 0, ZERO32, keccak(b"pledger" + pledge_id), due)
        self.pledges.append(pledge_id)
        return Op("intake", "fund", "recordPledge", args, 200_000, 1)

    def _allocation(self, budget: int) -> Op | None:
        funded = [(k, v) for k, v in self.pools.items() if v > 0]
        if not funded:
            return None
        key, available = self.rng.choice(funded)
        currency, kind, earmark = key
        need = self._need_serving(kind, earmark)
        if kind in (EarmarkKind.CATEGORY, EarmarkKind.REGION) and need is None:
            return None
        amount = max(1, int(available * self.rng.uniform(0.1, 0.6)))
        self.pools[key] = available - amount
        allocation_id = self._new_id("allocation")
        category = earmark if kind == EarmarkKind.CATEGORY else None
        self.allocations.append(Allocation(allocation_id, category, amount, self.round))
        purpose = PURPOSE if kind == EarmarkKind.PURPOSE else label("relief")
        need_id = need.need_id if need is not None else ZERO32
        args = (allocation_id, currency, int(kind), earmark, amount, need_id, purpose)
        return Op("coordinator", "fund", "allocateFunds", args, 250_000, 1)

    def _need_serving(self, kind: EarmarkKind, earmark: bytes) -> Need | None:
        def serves(n: Need) -> bool:
            if kind == EarmarkKind.CATEGORY:
                return label(ITEMS[n.item][0]) == earmark
            if kind == EarmarkKind.REGION:
                return region_earmark(RECIPIENTS[n.site]) == earmark
            return kind == EarmarkKind.NONE

        fitting = [n for n in self.needs if self._ready(n.ready) and serves(n)]
        return self.rng.choice(fitting) if fitting else None

    def _release(self, budget: int) -> Op | None:
        ready = [a for a in self.allocations if self._ready(a.ready)]
        if not ready:
            return None
        allocation = self.rng.choice(ready)
        allocation.remaining = 0
        args = (allocation.allocation_id,)
        return Op("coordinator", "fund", "releaseAllocation", args, 150_000, 1)

    # ----------------------------------------------------------------- goods in

    def _in_kind_gifts(self, budget: int) -> Op | None:
        count = min(budget // 2, self.rng.randint(3, 10))
        if count == 0:
            return None
        gifts = [self._in_kind().as_abi() for _ in range(count)]
        gas = 100_000 + 250_000 * count
        return Op("intake", "supply", "recordInKindGifts", ([*gifts],), gas, 2 * count)

    def _in_kind(self) -> InKindInput:
        r = self.rng
        lot = Lot(
            self._new_id("lot"),
            r.choice(list(ITEMS)),
            r.choice(list(WAREHOUSES)),
            r.randint(100, 5_000),
            self.round,
        )
        self._add_lot(lot)
        gift_id = self._new_id("in-kind")
        return InKindInput(
            gift_id,
            lot.lot_id,
            item_id(lot.item),
            site_id(lot.site),
            lot.on_hand,
            label(f"batch-{r.randint(1, 500)}"),
            r.choice((0, 1_900_000_000 + r.randint(0, 10**8))),
            keccak(b"donor" + gift_id),
            keccak(b"waybill" + gift_id),
            "",
        )

    def _purchase(self, budget: int) -> Op | None:
        ready = [a for a in self.allocations if self._ready(a.ready) and a.remaining > 0]
        if budget < 3 or not ready:
            return None
        r = self.rng
        allocation = r.choice(ready)
        amount = allocation.remaining if r.random() < 0.3 else r.randint(1, allocation.remaining)
        allocation.remaining -= amount
        items = [k for k, (c, _) in ITEMS.items() if allocation.category in (None, label(c))]
        quantity = max(1, amount // r.randint(100, 2_000))
        lot = Lot(
            self._new_id("lot"), r.choice(items), r.choice(list(WAREHOUSES)), quantity, self.round
        )
        self._add_lot(lot)
        purchase_id = self._new_id("purchase")
        purchase = PurchaseInput(
            purchase_id,
            allocation.allocation_id,
            derive_id("bench-org", "supplier"),
            amount,
            keccak(b"invoice" + purchase_id),
            lot.lot_id,
            item_id(lot.item),
            site_id(lot.site),
            quantity,
            label(f"batch-p{r.randint(1, 500)}"),
            0,
        )
        return Op("coordinator", "supply", "recordPurchase", (purchase.as_abi(),), 400_000, 3)

    # ----------------------------------------------------------------- goods out

    def _need(self, budget: int) -> Op | None:
        if len(self.needs) >= 60:
            return None
        r = self.rng
        need = Need(
            self._new_id("need"),
            r.choice(list(RECIPIENTS)),
            r.choice(list(ITEMS)),
            r.randint(200, 3_000),
            self.round,
        )
        self.needs.append(need)
        args = (
            need.need_id,
            site_id(need.site),
            item_id(need.item),
            need.remaining,
            r.randint(0, 3),
            0,
        )
        return Op(need.site, "supply", "postNeed", args, 250_000, 1)

    def _dispatch(self, budget: int) -> Op | None:
        if budget < 2:
            return None
        needs = [n for n in self.needs if self._ready(n.ready)]
        need = self.rng.choice(needs) if needs else None
        fitting = [
            lot for w in WAREHOUSES if need is not None for lot in self._lots_at(w, need.item)
        ]
        if fitting and need is not None:
            first, to_site = self.rng.choice(fitting), need.site
        else:
            stock = [lot for w in WAREHOUSES for lot in self._lots_at(w)]
            if not stock:
                return None
            first = self.rng.choice(stock)
            to_site = self._other_warehouse(first.site)
        lines = self._lines(first, self._lots_at(first.site), budget)
        shipment_id = self._new_id("shipment")
        self.shipments.append(Shipment(shipment_id, to_site, lines, self.round))
        args = (
            shipment_id,
            site_id(first.site),
            site_id(to_site),
            [DispatchLine(lot.lot_id, qty).as_abi() for lot, qty in lines],
        )
        gas = 150_000 + 100_000 * len(lines)
        return Op(first.site, "supply", "dispatchShipment", args, gas, 1 + len(lines))

    def _other_warehouse(self, site: str) -> str:
        return self.rng.choice([w for w in WAREHOUSES if w != site])

    def _lines(self, first: Lot, at_site: list[Lot], budget: int) -> list[tuple[Lot, int]]:
        r = self.rng
        others = [lot for lot in at_site if lot is not first]
        chosen = [first, *r.sample(others, min(len(others), r.choice((0, 0, 1, 2, 4))))]
        chosen = chosen[: max(1, budget - 1)]  # the dispatch emits 1 + lines events
        lines = []
        for lot in chosen:
            quantity = r.randint(1, lot.on_hand) if r.random() < 0.5 else lot.on_hand
            lot.on_hand -= quantity
            lines.append((lot, quantity))
        return lines

    def _receipt(self, budget: int) -> Op | None:
        ready = [s for s in self.shipments if self._ready(s.ready)]
        if not ready:
            return None
        shipment = ready[0]
        lines = [self._receipt_line(i, qty) for i, (_, qty) in enumerate(shipment.lines)]
        events = len(lines) + sum(1 for line in lines if line.received > 0) + 1
        if events > budget:
            return None
        self.shipments.remove(shipment)
        for line, (parent, _) in zip(lines, shipment.lines, strict=True):
            if line.received > 0:
                lot_id = keccak(
                    encode(["bytes32", "uint32"], [shipment.shipment_id, line.line_index])
                )
                self._add_lot(Lot(lot_id, parent.item, shipment.to_site, line.received, self.round))
        args = (shipment.shipment_id, [line.as_abi() for line in lines])
        gas = 100_000 + 250_000 * len(lines)
        return Op(shipment.to_site, "supply", "receiveShipment", args, gas, events)

    def _receipt_line(self, index: int, shipped: int) -> ReceiptLine:
        r = self.rng.random()
        if r < 0.9 or shipped == 1:
            return ReceiptLine(index, shipped)
        if r < 0.98:
            reason = self.rng.choice((DiscrepancyReason.DAMAGED, DiscrepancyReason.SHORT))
            return ReceiptLine(index, self.rng.randint(1, shipped - 1), reason)
        return ReceiptLine(index, 0, DiscrepancyReason.LOST)

    def _hand_over(self, budget: int) -> Op | None:
        open_needs: dict[tuple[str, str], list[Need]] = {}
        for n in self.needs:
            if n.remaining > 0 and self._ready(n.ready):
                open_needs.setdefault((n.site, n.item), []).append(n)
        pairs = [
            (lot, n)
            for site in RECIPIENTS
            for lot in self._lots_at(site)
            for n in open_needs.get((site, lot.item), [])
        ]
        if not pairs or budget < 2:
            return None
        lot, need = self.rng.choice(pairs)
        quantity = min(lot.on_hand, need.remaining)
        if self.rng.random() < 0.5:
            quantity = self.rng.randint(1, quantity)
        lot.on_hand -= quantity
        need.remaining -= quantity
        unit = self.rng.choice((BeneficiaryUnit.PEOPLE, BeneficiaryUnit.HOUSEHOLDS))
        args = (
            self._new_id("hand-over"),
            lot.lot_id,
            need.need_id,
            quantity,
            quantity // 10 + 1,
            int(unit),
        )
        events = 2 if need.remaining == 0 else 1
        return Op(lot.site, "supply", "recordHandOver", args, 250_000, events)

    def _adjustment(self, budget: int) -> Op | None:
        stock = self._lots_at(self.rng.choice(list(WAREHOUSES)), minimum=10)
        if not stock:
            return None
        lot = self.rng.choice(stock)
        delta = self.rng.randint(1, 5)
        lot.on_hand -= delta
        reason = self.rng.choice((AdjustmentReason.EXPIRED, AdjustmentReason.DAMAGED))
        args = (self._new_id("adjustment"), lot.lot_id, -delta, int(reason))
        return Op(lot.site, "supply", "recordAdjustment", args, 200_000, 1)
