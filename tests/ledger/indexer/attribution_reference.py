"""A second, deliberately plain implementation of docs/attribution.md, for checking the indexer.

It reads only decoded events in `seq` order (names and arguments, bytes as 0x-hex) and follows
the doc's numbered steps with lists and dicts: no SQL, no caches, nothing from
`ledger.indexer`. Its output is the four attribution tables as sets of tuples, in the mirror's
column order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ZERO = "0x" + "00" * 32
NOBODY = ("unattributed", "0x", 0)  # (gift kind, gift id, gift seq) of units no gift paid for


@dataclass
class Part:
    """Some units or money of one gift."""

    kind: str
    gift: str
    seq: int
    amount: int  # money, or units
    left: int  # unspent money, or units still in the lot


@dataclass
class Reference:
    """The rule's state: each step reads and changes only this."""

    money: dict[str, Part] = field(default_factory=dict)  # money gift id -> unallocated
    pools: dict[str, list[str]] = field(default_factory=dict)  # pool -> gift ids, in seq order
    in_kind: dict[str, int] = field(default_factory=dict)  # in-kind gift id -> seq
    allocations: dict[str, list[Part]] = field(default_factory=dict)
    purchases: dict[str, list[Part]] = field(default_factory=dict)
    lots: dict[str, list[Part]] = field(default_factory=dict)
    flows: dict[tuple[str, str], list[Part]] = field(default_factory=dict)
    receipt_line: dict[str, str] = field(default_factory=dict)  # receipt lot -> line flow id

    def apply(self, name: str, a: Mapping[str, Any]) -> None:
        """One event, by the step of the rule that it triggers."""
        seq = int(a["seq"])
        if name == "GiftRecorded":
            self.money[a["giftId"]] = Part("money", a["giftId"], seq, a["amount"], a["amount"])
            self.pools.setdefault(a["poolId"], []).append(a["giftId"])
        elif name == "InKindGiftRecorded":
            self.in_kind[a["giftId"]] = seq
        elif name == "FundsAllocated":  # step 1
            self._allocate(a["allocationId"], a["poolId"], a["amount"])
        elif name == "AllocationSpent":  # step 2
            self._spend(a["allocationId"], a["purchaseId"], a["amount"])
        elif name == "AllocationReleased":  # step 3
            for part in self.allocations[a["allocationId"]]:
                self.money[part.gift].left += part.left
                part.left = 0
        elif name == "LotCreated":
            self._lot(a)
        elif name == "ShipmentLineDispatched":  # step 6
            flow = f"{a['shipmentId']}:{a['lineIndex']}"
            self._take(a["lotId"], ("line", flow), a["quantity"])
        elif name == "ShipmentLineReceived" and a["lotId"] != ZERO:
            self.receipt_line[a["lotId"]] = f"{a['shipmentId']}:{a['lineIndex']}"
        elif name == "HandedOver":  # step 6
            self._take(a["lotId"], ("hand_over", a["handOverId"]), a["quantity"])
        elif name == "LotAdjusted":
            self._adjust(a["adjustmentId"], a["lotId"], a["delta"])

    def _adjust(self, adjustment: str, lot: str, delta: int) -> None:
        if delta < 0:  # step 6
            self._take(lot, ("adjustment", adjustment), -delta)
        else:  # step 8
            self._add(lot, *NOBODY, delta)

    def _allocate(self, allocation: str, pool: str, amount: int) -> None:
        parts: list[Part] = []
        for gift_id in self.pools[pool]:  # already in seq order
            gift = self.money[gift_id]
            take = min(amount, gift.left)
            if take > 0:
                gift.left -= take
                amount -= take
                parts.append(Part("money", gift_id, gift.seq, take, take))
        assert amount == 0, "the chain never allocates more than the pool holds"
        self.allocations[allocation] = parts

    def _spend(self, allocation: str, purchase: str, amount: int) -> None:
        paid: list[Part] = []
        for part in sorted(self.allocations[allocation], key=lambda p: p.seq):
            take = min(amount, part.left)
            if take > 0:
                part.left -= take
                amount -= take
                paid.append(Part("money", part.gift, part.seq, take, take))
        self.purchases[purchase] = paid

    def _lot(self, a: Mapping[str, Any]) -> None:
        lot, quantity, origin = a["lotId"], a["quantity"], a["origin"]
        self.lots[lot] = []
        if origin == 1:  # step 5
            self._add(lot, "in_kind", a["originId"], self.in_kind[a["originId"]], quantity)
        elif origin == 2:  # step 4
            paid = sorted(self.purchases.get(a["originId"], []), key=lambda p: p.seq)
            total = sum(p.amount for p in paid)
            if total == 0:
                self._add(lot, *NOBODY, quantity)
                return
            shares = [quantity * p.amount // total for p in paid]
            remainder = quantity - sum(shares)
            for i in range(remainder):
                shares[i] += 1
            for p, share in zip(paid, shares, strict=True):
                if share > 0:
                    self._add(lot, p.kind, p.gift, p.seq, share)
        else:  # step 7
            left = quantity
            for part in sorted(self.flows[("line", self.receipt_line[lot])], key=lambda p: p.seq):
                share = min(left, part.amount)
                if share > 0:
                    self._add(lot, part.kind, part.gift, part.seq, share)
                    left -= share

    def _add(self, lot: str, kind: str, gift: str, seq: int, units: int) -> None:
        for part in self.lots[lot]:
            if (part.kind, part.gift) == (kind, gift):
                part.amount += units
                part.left += units
                return
        self.lots[lot].append(Part(kind, gift, seq, units, units))

    def _take(self, lot: str, flow: tuple[str, str], units: int) -> None:
        parts: list[Part] = []
        for source in sorted(self.lots[lot], key=lambda p: p.seq):
            take = min(units, source.left)
            if take > 0:
                source.left -= take
                units -= take
                parts.append(Part(source.kind, source.gift, source.seq, take, take))
        assert units == 0, "the chain never takes more than a lot holds"
        self.flows[flow] = parts

    def tables(self) -> dict[str, set[tuple[Any, ...]]]:
        """The four attribution tables, each row a tuple in the mirror's column order."""
        return {
            "gift_allocations": {
                (allocation, p.kind, p.gift, p.seq, p.amount, p.left)
                for allocation, parts in self.allocations.items()
                for p in parts
            },
            "gift_purchases": {
                (purchase, p.kind, p.gift, p.seq, p.amount)
                for purchase, parts in self.purchases.items()
                for p in parts
            },
            "lot_sources": {
                (lot, p.kind, p.gift, p.seq, p.amount, p.left)
                for lot, parts in self.lots.items()
                for p in parts
            },
            "flow_sources": {
                (kind, flow, p.kind, p.gift, p.seq, p.amount)
                for (kind, flow), parts in self.flows.items()
                for p in parts
            },
        }


COLUMNS = {
    "gift_allocations": "allocation_id, gift_kind, gift_id, gift_seq, amount, unspent",
    "gift_purchases": "purchase_id, gift_kind, gift_id, gift_seq, amount",
    "lot_sources": "lot_id, gift_kind, gift_id, gift_seq, quantity, remaining",
    "flow_sources": "flow_kind, flow_id, gift_kind, gift_id, gift_seq, quantity",
}


def attribute(events: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, set[tuple[Any, ...]]]:
    """The attribution tables that `events` (name, arguments; in seq order) produce."""
    reference = Reference()
    for name, args in events:
        reference.apply(name, args)
    return reference.tables()
