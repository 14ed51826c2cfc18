"""A synthetic relief operation as the chain would record it, without a chain.

`History` deals out blocks of transactions, each a list of `(contract, event, arguments)` with
the arguments as `ledger.chain.events.sql_args` gives them (bytes32 as 0x-hex, currency as
three letters, region as text, addresses checksummed; `seq` and `head` are added by whoever
sequences them). The history is consistent in the contracts' terms: every id exists before it
is named, pools never allocate more than they received, allocations never spend more than they
hold, lots never give more than they have, shipments are received line by line (some short,
damaged or lost, with a reason) into receipt lots whose ids the contract would derive, and
hand-overs go to open needs of the lot's site and item, closing them when met. Deterministic for
a seed.

The mix is set by two targets: `gifts` money gifts among about `events` events. At the issue's
100,000 / 1,000,000 the rest is the goods side of an operation: purchases and in-kind lots in
warehouses, shipments towards needs, receipt lots, hand-overs, adjustments.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bench._history_world import (
    DAY,
    EVENTS_PER_BLOCK,
    GIFT_AMOUNTS,
    MAX_OPEN_NEEDS,
    ORGS,
    POOLS,
    PUBLIC_NAMES,
    SPAN,
    START,
    SUPPLIERS,
    ZERO,
    Allocation,
    Counts,
    Event,
    ItemInfo,
    Lot,
    Need,
    Pledge,
    Shipment,
    SiteInfo,
    Tx,
    address,
    hex_id,
    label,
    receipt_lot_id,
    registry,
)
from ledger.chain.types import (
    AdjustmentReason,
    BeneficiaryUnit,
    DiscrepancyReason,
    EarmarkKind,
    LotOrigin,
    SiteKind,
)


@dataclass
class History:
    """Deals out the blocks of the operation: `gifts` money gifts among about `events` events."""

    gifts: int
    events: int
    seed: int = 1
    rng: random.Random = field(init=False)
    counts: Counts = field(default_factory=Counts)
    round: int = 0
    _n: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.rounds = max(1, self.events // EVENTS_PER_BLOCK)
        self.intake, self.coordinator = address("intake"), address("coordinator")
        self.admin = address("admin")
        self.orgs = {key: hex_id("org", key) for key, _, _ in ORGS}
        self.sites: list[SiteInfo] = []
        self.warehouses: list[SiteInfo] = []
        self.recipients: list[SiteInfo] = []
        self.items: list[ItemInfo] = []
        self.pool_balance = {p: 0 for p in POOLS}
        self.pledges: list[Pledge] = []
        self.allocations: list[Allocation] = []
        self.stock: dict[str, dict[str, list[Lot]]] = {}  # site id -> item id -> lots
        self.needs: list[Need] = []
        self.shipments: list[Shipment] = []
        self.handovers: list[tuple[Lot, Need]] = []  # lots arrived for a need

    # ----------------------------------------------------------------- driving

    def blocks(self) -> Iterator[tuple[int, list[Tx]]]:
        """(timestamp, transactions) of every block, the registry first."""
        yield START, self._registry()
        self.warehouses = [s for s in self.sites if s.kind == SiteKind.WAREHOUSE]
        self.recipients = [s for s in self.sites if s.kind == SiteKind.RECIPIENT]
        for number in range(1, self.rounds + 1):
            self.round = number
            if number % 50 == 0:
                self._prune()
            now = START + SPAN * number // self.rounds
            yield now, self._round(now)

    def _id(self, kind: str) -> str:
        self._n += 1
        return hex_id(kind, self.seed, self._n)

    def _count(self, txs: list[Tx]) -> None:
        for tx in txs:
            for _, name, _ in tx:
                self.counts.events += 1
                self.counts.by_name[name] = self.counts.by_name.get(name, 0) + 1

    def _round(self, now: int) -> list[Tx]:
        r = self.round
        gifts = self.gifts * r // self.rounds - self.counts.gifts
        quota = self.events * r // self.rounds - self.counts.events - gifts
        txs: list[Tx] = []
        if gifts > 0:
            txs.append(self._gift_batch(gifts))
        for shipment in [s for s in self.shipments if s.due <= r]:
            self.shipments.remove(shipment)
            txs.append(self._receipt(shipment))
        spent = sum(len(tx) for tx in txs) - gifts
        failures = 0
        while spent < quota and failures < 20:
            tx = self._operation(now)
            if tx is None:
                failures += 1
                continue
            txs.append(tx)
            spent += len(tx)
        self._count(txs)
        return txs

    def _operation(self, now: int) -> Tx | None:
        """One transaction other than gifts and receipts, drawn by its share of the mix."""
        draw = self.rng.random()
        for share, make in self._mix():
            if draw < share:
                return make(now)
            draw -= share
        return None

    def _mix(self) -> list[tuple[float, Callable[[int], Tx | None]]]:
        item = self.rng.choice
        return [
            (0.25, lambda now: self._hand_over()),
            (0.20, self._dispatch),
            (0.15, self._need),
            (0.13, self._purchase),
            (0.09, lambda now: self._allocation()),
            (0.08, lambda now: self._in_kind(now, item(self.items))),
            (0.055, lambda now: self._adjustment()),
            (0.02, lambda now: self._release()),
            (0.01, lambda now: self._close_need()),
            (0.005, self._pledge),
        ]

    # ----------------------------------------------------------------- registry

    def _registry(self) -> list[Tx]:
        txs, self.sites, self.items = registry(self.orgs, self.admin, self.intake, self.coordinator)
        self._count(txs)
        return txs

    # ----------------------------------------------------------------- money

    def _gift_batch(self, count: int) -> Tx:
        r = self.rng
        chosen = r.choices(POOLS, [p.weight for p in POOLS], k=count)
        tx: Tx = []
        for pool in chosen:
            amount = r.choice(GIFT_AMOUNTS) + r.randint(0, 999)
            pledge = ZERO
            if pool is POOLS[0] and self.pledges and r.random() < 0.05:
                owed = r.choice(self.pledges)
                amount = min(amount, owed.remaining)
                owed.remaining -= amount
                pledge = owed.pledge_id
                if owed.remaining == 0:
                    self.pledges.remove(owed)
            self.pool_balance[pool] += amount
            self.counts.gifts += 1
            gift_id = self._id("gift")
            args = {
                "giftId": gift_id,
                "poolId": pool.pool_id,
                "actor": self.intake,
                "currency": pool.currency,
                "amount": amount,
                "earmarkKind": int(pool.kind),
                "earmark": pool.earmark,
                "evidenceHash": hex_id("bank line", gift_id),
                "donorCommitment": hex_id("donor", gift_id),
                "pledgeId": pledge,
                "publicName": r.choice(PUBLIC_NAMES) if r.random() < 0.05 else "",
            }
            tx.append(("FundLedger", "GiftRecorded", args))
        return tx

    def _pledge(self, now: int) -> Tx:
        pledge = Pledge(self._id("pledge"), self.rng.choice((500_000, 1_000_000, 5_000_000)))
        self.pledges.append(pledge)
        args = {
            "pledgeId": pledge.pledge_id,
            "actor": self.intake,
            "currency": "CNY",
            "amount": pledge.remaining,
            "earmarkKind": 0,
            "earmark": ZERO,
            "donorCommitment": hex_id("pledger", pledge.pledge_id),
            "dueDate": now + self.rng.randint(7, 120) * DAY,
        }
        return [("FundLedger", "PledgeRecorded", args)]

    def _allocation(self) -> Tx | None:
        r = self.rng
        funded = [p for p, v in self.pool_balance.items() if v > 0]
        if not funded:
            return None
        pool = r.choice(funded)
        need = None
        if pool.kind in (EarmarkKind.REGION, EarmarkKind.CATEGORY):  # a need must serve it
            fitting = [
                n
                for n in self.needs
                if n.site.region == pool.region or n.item.category == pool.earmark
            ]
            if not fitting:
                return None
            need = r.choice(fitting)
        elif self.needs and r.random() < 0.3:
            need = r.choice(self.needs)
        amount = max(1, int(self.pool_balance[pool] * r.uniform(0.1, 0.6)))
        self.pool_balance[pool] -= amount
        allocation = Allocation(self._id("allocation"), pool, amount, need)
        self.allocations.append(allocation)
        purpose = pool.earmark if pool.kind == EarmarkKind.PURPOSE else label("relief")
        args = {
            "allocationId": allocation.allocation_id,
            "poolId": pool.pool_id,
            "actor": self.coordinator,
            "amount": amount,
            "needId": need.need_id if need is not None else ZERO,
            "purpose": purpose,
        }
        return [("FundLedger", "FundsAllocated", args)]

    def _release(self) -> Tx | None:
        if not self.allocations:
            return None
        allocation = self.allocations.pop(self.rng.randrange(len(self.allocations)))
        self.pool_balance[allocation.pool] += allocation.remaining
        args = {
            "allocationId": allocation.allocation_id,
            "poolId": allocation.pool.pool_id,
            "actor": self.coordinator,
            "amount": allocation.remaining,
        }
        return [("FundLedger", "AllocationReleased", args)]

    def _purchase(self, now: int) -> Tx | None:
        r = self.rng
        if not self.allocations:
            return None
        allocation = r.choice(self.allocations)
        pool = allocation.pool
        if pool.kind == EarmarkKind.CATEGORY:
            item = r.choice([i for i in self.items if i.category == pool.earmark])
        elif allocation.need is not None:
            item = allocation.need.item
        else:
            item = r.choice(self.items)
        amount = allocation.remaining if r.random() < 0.4 else r.randint(1, allocation.remaining)
        quantity = amount // item.price
        if quantity == 0:
            return None
        allocation.remaining -= amount
        if allocation.remaining == 0:
            self.allocations.remove(allocation)
        if allocation.need is not None:
            site = self._warehouse_of(allocation.need.site.region)
        else:
            site = r.choice(self.warehouses)
        purchase_id = self._id("purchase")
        lot = self._new_lot(item, site, quantity, now)
        spent = {
            "allocationId": allocation.allocation_id,
            "purchaseId": purchase_id,
            "actor": self.coordinator,
            "amount": amount,
        }
        recorded = {
            "purchaseId": purchase_id,
            "allocationId": allocation.allocation_id,
            "lotId": lot.lot_id,
            "supplierId": self.orgs[r.choice(SUPPLIERS)],
            "amount": amount,
            "invoiceHash": hex_id("invoice", purchase_id),
            "actor": self.coordinator,
        }
        return [
            ("FundLedger", "AllocationSpent", spent),
            ("SupplyLedger", "PurchaseRecorded", recorded),
            self._lot_created(lot, LotOrigin.PURCHASE, purchase_id, ZERO, self.coordinator),
        ]

    def _warehouse_of(self, region: str) -> SiteInfo:
        return next(w for w in self.warehouses if w.region == region)

    # ----------------------------------------------------------------- goods in

    def _new_lot(self, item: ItemInfo, site: SiteInfo, quantity: int, now: int) -> Lot:
        r = self.rng
        expiry = 0 if r.random() < 0.6 else now + r.randint(1, 400) * DAY
        batch = hex_id("batch", r.randint(1, 500)) if r.random() < 0.7 else ZERO
        lot = Lot(self._id("lot"), item, site, quantity, batch, expiry)
        self._stock(lot)
        return lot

    def _stock(self, lot: Lot) -> None:
        self.stock.setdefault(lot.site.site_id, {}).setdefault(lot.item.item_id, []).append(lot)

    def _prune(self) -> None:
        """Forget lots with nothing left (every few rounds: the lists only grow otherwise)."""
        for by_item in self.stock.values():
            for item_id, lots in by_item.items():
                by_item[item_id] = [lot for lot in lots if lot.on_hand > 0]
        self.handovers = [(lot, n) for lot, n in self.handovers if lot.on_hand > 0 and n.open]

    def _lot_created(
        self, lot: Lot, origin: LotOrigin, origin_id: str, parent: str, actor: str
    ) -> Event:
        args = {
            "lotId": lot.lot_id,
            "itemId": lot.item.item_id,
            "siteId": lot.site.site_id,
            "quantity": lot.on_hand,
            "batch": lot.batch,
            "expiry": lot.expiry,
            "origin": int(origin),
            "originId": origin_id,
            "parentLotId": parent,
            "actor": actor,
        }
        return ("SupplyLedger", "LotCreated", args)

    def _in_kind(self, now: int, item: ItemInfo, site: SiteInfo | None = None) -> Tx:
        r = self.rng
        site = site or r.choice(self.warehouses)
        lot = self._new_lot(item, site, r.randint(50, 2_000), now)
        gift_id = self._id("in-kind")
        args = {
            "giftId": gift_id,
            "lotId": lot.lot_id,
            "actor": self.intake,
            "donorCommitment": hex_id("donor", gift_id),
            "evidenceHash": hex_id("waybill", gift_id),
            "publicName": r.choice(PUBLIC_NAMES) if r.random() < 0.2 else "",
        }
        return [
            ("SupplyLedger", "InKindGiftRecorded", args),
            self._lot_created(lot, LotOrigin.IN_KIND_GIFT, gift_id, ZERO, self.intake),
        ]

    # ----------------------------------------------------------------- goods out

    def _need(self, now: int) -> Tx | None:
        r = self.rng
        if len(self.needs) >= MAX_OPEN_NEEDS:
            return None
        site = r.choice(self.recipients)
        quantity = r.randint(500, 5_000)
        need = Need(self._id("need"), site, r.choice(self.items), quantity, quantity)
        self.needs.append(need)
        deadline = 0 if r.random() < 0.5 else now + r.randint(3, 45) * DAY
        args = {
            "needId": need.need_id,
            "siteId": site.site_id,
            "itemId": need.item.item_id,
            "quantity": quantity,
            "priority": r.randint(0, 3),
            "deadline": deadline,
            "actor": site.operator,
        }
        return [("SupplyLedger", "NeedPosted", args)]

    def _lots_of(self, site: SiteInfo, item: ItemInfo) -> list[Lot]:
        """The site's lots of `item` with units on hand, oldest first."""
        lots = self.stock.get(site.site_id, {}).get(item.item_id, [])
        return [lot for lot in lots if lot.on_hand > 0]

    def _any_lot(self, site: SiteInfo, but: list[Lot] | None = None) -> Lot | None:
        """A random lot of the site with units on hand (a few tries), not one of `but`."""
        by_item = self.stock.get(site.site_id, {})
        if not by_item:
            return None
        groups = list(by_item.values())
        for _ in range(5):
            lots = self.rng.choice(groups)
            if lots:
                lot = self.rng.choice(lots)
                if lot.on_hand > 0 and lot not in (but or ()):
                    return lot
        return None

    def _dispatch(self, now: int) -> Tx | None:
        r = self.rng
        unserved = [n for n in self.needs if n.open and n.remaining > 0]
        need = r.choice(unserved) if unserved and r.random() < 0.85 else None
        if need is not None:
            home = self._warehouse_of(need.site.region)
            sources = [home, *(w for w in self.warehouses if w is not home)]
            source = next((w for w in sources if self._lots_of(w, need.item)), None)
            if source is None:  # nothing of the item in stock: a donation of it comes first
                return self._in_kind(now, need.item, home)
            lots, to_site, wanted = self._lots_of(source, need.item), need.site, need.remaining
        else:
            source = r.choice(self.warehouses)
            first = self._any_lot(source)
            if first is None:
                return None
            lots, to_site = [first], r.choice([w for w in self.warehouses if w is not source])
            wanted = r.randint(1, first.on_hand)
        lines: list[tuple[Lot, int]] = []
        for lot in lots[:5]:
            quantity = min(lot.on_hand, wanted)
            lot.on_hand -= quantity
            wanted -= quantity
            lines.append((lot, quantity))
            if wanted == 0:
                break
        if need is not None:
            need.remaining = wanted
        extra = self._any_lot(source, [lot for lot, _ in lines]) if r.random() < 0.1 else None
        if extra is not None:  # something else goes along
            quantity = r.randint(1, extra.on_hand)
            extra.on_hand -= quantity
            lines.append((extra, quantity))
        due = self.round + r.randint(1, 4)
        shipment = Shipment(self._id("shipment"), to_site, lines, need, due)
        self.shipments.append(shipment)
        dispatched = {
            "shipmentId": shipment.shipment_id,
            "fromSite": source.site_id,
            "toSite": to_site.site_id,
            "lineCount": len(lines),
            "actor": source.operator,
        }
        tx: Tx = [("SupplyLedger", "ShipmentDispatched", dispatched)]
        for index, (lot, quantity) in enumerate(lines):
            args = {
                "shipmentId": shipment.shipment_id,
                "lotId": lot.lot_id,
                "lineIndex": index,
                "quantity": quantity,
            }
            tx.append(("SupplyLedger", "ShipmentLineDispatched", args))
        return tx

    def _receipt(self, shipment: Shipment) -> Tx:
        r = self.rng
        tx: Tx = []
        operator, need = shipment.to_site.operator, shipment.need
        for index, (parent, quantity) in enumerate(shipment.lines):
            roll = r.random()
            received, reason = quantity, DiscrepancyReason.NONE
            if quantity > 1 and roll > 0.9:
                received = r.randint(1, quantity - 1) if roll < 0.98 else 0
                if received:
                    reason = r.choice((DiscrepancyReason.DAMAGED, DiscrepancyReason.SHORT))
                else:
                    reason = DiscrepancyReason.LOST
            lot_id = receipt_lot_id(shipment.shipment_id, index) if received else ZERO
            args = {
                "shipmentId": shipment.shipment_id,
                "lotId": lot_id,
                "actor": operator,
                "lineIndex": index,
                "received": received,
                "declared": quantity - received,
                "reason": int(reason),
            }
            tx.append(("SupplyLedger", "ShipmentLineReceived", args))
            for_need = need is not None and need.item is parent.item
            if for_need and need is not None and received < quantity:
                need.remaining += quantity - received  # to be sent again
            if not received:
                continue
            lot = Lot(lot_id, parent.item, shipment.to_site, received, parent.batch, parent.expiry)
            self._stock(lot)
            created = self._lot_created(
                lot, LotOrigin.RECEIPT, shipment.shipment_id, parent.lot_id, operator
            )
            tx.append(created)
            if for_need and need is not None:
                self.handovers.append((lot, need))
        tx.append(("SupplyLedger", "ShipmentCompleted", {"shipmentId": shipment.shipment_id}))
        return tx

    def _hand_over(self) -> Tx | None:
        r = self.rng
        while self.handovers:
            lot, need = self.handovers[0]
            if lot.on_hand > 0 and need.open and need.fulfilled < need.quantity:
                break
            self.handovers.pop(0)
        else:
            return None
        quantity = min(lot.on_hand, need.quantity - need.fulfilled)
        if r.random() < 0.25 and quantity > 1:
            quantity = r.randint(1, quantity)  # handed over in several goes
        lot.on_hand -= quantity
        need.fulfilled += quantity
        args = {
            "handOverId": self._id("hand-over"),
            "lotId": lot.lot_id,
            "needId": need.need_id,
            "quantity": quantity,
            "beneficiaries": max(1, quantity // r.choice((1, 5, 10))),
            "unit": int(r.choice((BeneficiaryUnit.PEOPLE, BeneficiaryUnit.HOUSEHOLDS))),
            "actor": lot.site.operator,
        }
        tx: Tx = [("SupplyLedger", "HandedOver", args)]
        if need.fulfilled == need.quantity:  # the contract closes a need met in full
            tx.append(self._closed(need))
        return tx

    def _closed(self, need: Need) -> Event:
        need.open = False
        self.needs.remove(need)
        args = {"needId": need.need_id, "fulfilled": need.fulfilled, "actor": need.site.operator}
        return ("SupplyLedger", "NeedClosed", args)

    def _close_need(self) -> Tx | None:
        stale = [n for n in self.needs[:50] if n.fulfilled > 0]
        if not stale:
            return None
        return [self._closed(self.rng.choice(stale))]

    def _adjustment(self) -> Tx | None:
        r = self.rng
        site = r.choice(self.warehouses)
        lot = self._any_lot(site)
        if lot is None or lot.on_hand < 10:
            return None
        if r.random() < 0.15:
            delta, reason = r.randint(1, 5), AdjustmentReason.COUNT_CORRECTION
        else:
            delta = -r.randint(1, min(lot.on_hand, 50))
            reason = r.choice((AdjustmentReason.EXPIRED, AdjustmentReason.DAMAGED))
        lot.on_hand += delta
        args = {
            "adjustmentId": self._id("adjustment"),
            "lotId": lot.lot_id,
            "actor": site.operator,
            "delta": delta,
            "reason": int(reason),
        }
        return [("SupplyLedger", "LotAdjusted", args)]
