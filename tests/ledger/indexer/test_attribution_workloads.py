"""Generated workloads on a real chain: the indexer's attribution tables equal, row by row, what
the plain reference implementation of docs/attribution.md makes from the node's raw events.

Each example runs on a rolled-back chain and a fresh mirror. Steps draw edge inputs: amounts of
1 and the doc's 496-unit example (remainders), allocations of the whole pool, partial spending
then release after a later allocation took part of a newer gift, multi-line shipments received
in several parts with shortfalls, receipts of receipts, hand-overs, negative and positive
adjustments, in-kind gifts reusing money gift ids, and indexing in the middle of the workload
(so later batches read state that earlier batches wrote). The same mirrors' journal columns
equal the reports' own derivation of them (docs/indexer.md "Journal columns").
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.chain.rpc import Rpc
from ledger.chain.types import (
    AdjustmentReason,
    BeneficiaryUnit,
    DiscrepancyReason,
    DispatchLine,
    ReceiptLine,
)
from ledger.errors import ContractRevertError
from tests.chain_backends import rolled_back
from tests.contracts.helpers import allocate, fresh, give, in_kind_input, need, purchase_input
from tests.contracts.world import World
from tests.ledger.indexer.attribution_reference import attribute
from tests.ledger.indexer.conftest import mirror, rpc_url
from tests.ledger.indexer.test_attribution import chain_events, index, mirror_tables
from tests.ledger.reports.derived import stored_and_derived

AMOUNTS = (1, 2, 3, 7, 60, 1_961, 5_923, 20_096, 539_972)
QUANTITIES = (1, 2, 3, 5, 17, 496)
# One round of writes in an order that lets each step find what it needs; each step is drawn
# with its parameters (x, y) or skipped, and a workload is one to three rounds.
ROUND = (
    "gift",
    "gift",
    "gift",
    "in_kind",
    "allocate",
    "purchase",
    "allocate",
    "purchase",
    "release",
    "in_kind",
    "ship",
    "ship",
    "receive",
    "index",
    "receive",
    "hand_over",
    "adjust_down",
    "adjust_up",
    "ship",
    "receive",
    "hand_over",
    "adjust_down",
    "index",
)
_PARAMS = st.tuples(st.integers(0, 3), st.integers(0, 2**20), st.integers(0, 2**20))
STEPS = st.lists(
    st.lists(_PARAMS, min_size=len(ROUND), max_size=len(ROUND)), min_size=1, max_size=3
).map(
    lambda rounds: [
        (op, x, y)
        for steps in rounds
        for op, (keep, x, y) in zip(ROUND, steps, strict=True)
        if keep  # 0: skipped
    ]
)
REASONS = (DiscrepancyReason.DAMAGED, DiscrepancyReason.LOST, DiscrepancyReason.SHORT)


@dataclass
class Workload:
    """Drives the chain with valid writes, keeping just enough of a model to choose them."""

    world: World
    pool: int = 0
    money_ids: list[bytes] = field(default_factory=list)
    supply_ids: set[bytes] = field(default_factory=set)
    allocations: dict[bytes, int] = field(default_factory=dict)  # open -> unspent
    lots: dict[bytes, list[object]] = field(default_factory=dict)  # lot -> [site, on hand]
    shipments: dict[bytes, tuple[str, list[tuple[int, int]]]] = field(default_factory=dict)
    need_id: bytes | None = None
    refused: list[str] = field(default_factory=list)

    def run(self, op: str, x: int, y: int) -> None:
        try:
            getattr(self, op)(x, y)
        except ContractRevertError as exc:  # emits nothing: both sides skip it, but count it
            self.refused.append(f"{op}: {exc}")

    def _pick(self, items: list[bytes], x: int) -> bytes | None:
        return sorted(items)[x % len(items)] if items else None

    def gift(self, x: int, y: int) -> None:
        amount = AMOUNTS[x % len(AMOUNTS)]
        self.money_ids.append(give(self.world, amount).gift_id)
        self.pool += amount

    def in_kind(self, x: int, y: int) -> None:
        gift = in_kind_input(self.world, QUANTITIES[x % len(QUANTITIES)])
        reused = self._pick(self.money_ids, y)
        if y % 2 and reused is not None and reused not in self.supply_ids:
            gift = replace(gift, gift_id=reused)  # the same id in the other namespace
        self.world.ledger.record_in_kind_gift(self.world.intake, gift)
        self.supply_ids.add(gift.gift_id)
        self.lots[gift.lot_id] = ["wh_a", gift.quantity]

    def allocate(self, x: int, y: int) -> None:
        if self.pool == 0:
            return
        amount = self.pool if y % 3 == 0 else 1 + x % self.pool
        self.allocations[allocate(self.world, amount)] = amount
        self.pool -= amount

    def purchase(self, x: int, y: int) -> None:
        allocation = self._pick([a for a, left in self.allocations.items() if left], x)
        if allocation is None:
            return
        left = self.allocations[allocation]
        amount = left if y % 4 == 0 else 1 + y % left
        quantity = QUANTITIES[(x // 7) % len(QUANTITIES)]
        p = purchase_input(self.world, allocation, amount=amount, quantity=quantity)
        self.world.ledger.record_purchase(self.world.coordinator, p)
        self.allocations[allocation] -= amount
        self.lots[p.lot_id] = ["wh_a", quantity]

    def release(self, x: int, y: int) -> None:
        allocation = self._pick([a for a, left in self.allocations.items() if left], x)
        if allocation is None:
            return
        self.world.ledger.release_allocation(self.world.coordinator, allocation)
        self.pool += self.allocations.pop(allocation)

    def ship(self, x: int, y: int) -> None:
        site = ("wh_a", "wh_b")[y % 2]
        stocked = sorted(lot for lot, (s, held) in self.lots.items() if s == site and held)
        if not stocked:
            return
        to = "hospital" if site == "wh_b" or x % 2 else "wh_b"
        chosen = [stocked[(x + i) % len(stocked)] for i in range(1 + y % 3)]
        lines = []
        for i, lot in enumerate(dict.fromkeys(chosen)):
            held = int(self.lots[lot][1])  # type: ignore[call-overload]
            lines.append(DispatchLine(lot, 1 + (x >> (3 * i)) % held))
        shipment = fresh("shipment")
        self.world.ledger.dispatch_shipment(
            self.world.staff[site], shipment, self.world.sites[site], self.world.sites[to], lines
        )
        for line in lines:
            self.lots[line.lot_id][1] = int(self.lots[line.lot_id][1]) - line.quantity  # type: ignore[call-overload]
        self.shipments[shipment] = (to, [(i, line.quantity) for i, line in enumerate(lines)])

    def receive(self, x: int, y: int) -> None:
        shipment = self._pick(list(self.shipments), x)
        if shipment is None:
            return
        to, pending = self.shipments[shipment]
        now, later = pending[: 1 + y % len(pending)], pending[1 + y % len(pending) :]
        receipts = []
        for line, quantity in now:
            short = 0 if (x >> line) % 3 == 0 else (y >> line) % (quantity + 1)
            reason = REASONS[(x >> line) % 3] if short else DiscrepancyReason.NONE
            receipts.append(ReceiptLine(line, quantity - short, reason))
        self.world.ledger.receive_shipment(self.world.staff[to], shipment, receipts)
        for r in receipts:
            if r.received:
                lot = bytes(
                    self.world.ledger.view("supply", "receiptLotId", shipment, r.line_index)
                )
                self.lots[lot] = [to, r.received]
        if later:
            self.shipments[shipment] = (to, later)
        else:
            del self.shipments[shipment]

    def hand_over(self, x: int, y: int) -> None:
        lot = self._pick([lot for lot, (s, h) in self.lots.items() if s == "hospital" and h], x)
        if lot is None:
            return
        if self.need_id is None:
            self.need_id = need(self.world, 10**12)
        quantity = 1 + y % int(self.lots[lot][1])  # type: ignore[call-overload]
        self.world.ledger.record_hand_over(
            self.world.hospital, fresh("h"), lot, self.need_id, quantity, 1, BeneficiaryUnit.PEOPLE
        )
        self.lots[lot][1] = int(self.lots[lot][1]) - quantity  # type: ignore[call-overload]

    def adjust_down(self, x: int, y: int) -> None:
        lot = self._pick([lot for lot, (_, held) in self.lots.items() if held], x)
        if lot is None:
            return
        site, held = self.lots[lot]
        quantity = int(held) if y % 5 == 0 else 1 + y % int(held)  # type: ignore[call-overload]
        self.world.ledger.record_adjustment(
            self.world.staff[str(site)], fresh("adj"), lot, -quantity, AdjustmentReason.EXPIRED
        )
        self.lots[lot][1] = int(held) - quantity  # type: ignore[call-overload]

    def adjust_up(self, x: int, y: int) -> None:
        lot = self._pick(list(self.lots), x)
        if lot is None:
            return
        site, held = self.lots[lot]
        delta = 1 + y % 5
        self.world.ledger.record_adjustment(
            self.world.staff[str(site)],
            fresh("adj"),
            lot,
            delta,
            AdjustmentReason.COUNT_CORRECTION,
        )
        self.lots[lot][1] = int(held) + delta  # type: ignore[call-overload]


@settings(max_examples=10)
@given(steps=STEPS)
def test_mirror_attribution_equals_the_reference_on_generated_workloads(
    chain_world: World, steps: list[tuple[str, int, int]]
) -> None:
    world = chain_world
    rpc = Rpc(rpc_url(world), timeout=30)
    with rolled_back(world.ledger.client.w3), tempfile.TemporaryDirectory() as tmp:
        engine = mirror(f"sqlite:///{Path(tmp) / 'mirror.sqlite3'}")
        workload = Workload(world)
        for op, x, y in steps:
            if op == "index":
                index(world, rpc, engine)
            else:
                workload.run(op, x, y)
        index(world, rpc, engine)
        assert not workload.refused, workload.refused  # the model keeps writes valid
        try:
            assert mirror_tables(engine) == attribute(chain_events(world, rpc))
            stored, derived, _ = stored_and_derived(engine)  # the journal columns too
            assert stored == derived
        finally:
            engine.dispose()
