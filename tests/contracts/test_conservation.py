"""Hypothesis stateful test: random operations, conservation laws rebuilt from events alone.

Each rule predicts from a plain model whether the contracts must accept or refuse the write.
Accepted writes are decoded from their logs, checked against the running sequence and ledger
head, and folded into a state derived only from events; the invariants compare that state
with the contracts' views. Refused writes must change nothing.

A second machine (`IndexedEdgeMachine`) draws edge inputs without predicting the contracts'
answer and keeps a SQLite mirror in step: after every step the mirror must account for every
event, and `verify` as a whole must be clean every few steps and at the end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from ledger.chain.events import DecodedEvent, verify_sequence
from ledger.chain.ids import ZERO32, label
from ledger.chain.types import (
    AdjustmentReason,
    BeneficiaryUnit,
    DiscrepancyReason,
    DispatchLine,
    EarmarkKind,
    ReceiptLine,
)
from ledger.errors import ContractRevertError
from tests.chain_backends import RPC_BACKENDS
from tests.contracts.helpers import (
    events,
    fresh,
    gift_input,
    in_kind_input,
    purchase_input,
    reset_ids,
)
from tests.contracts.world import CNY, USD, World, build_world

POOLS = [
    (CNY, EarmarkKind.NONE, ZERO32),
    (USD, EarmarkKind.NONE, ZERO32),
    (CNY, EarmarkKind.PURPOSE, label("masks")),
]
OPERATOR = {"wh_a": "wh_a", "wh_b": "wh_b", "hospital": "hospital", "clinic": "hospital"}
RECIPIENTS = ("hospital", "clinic")


@dataclass
class Derived:
    """State rebuilt from events only."""

    pools: dict[bytes, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    lots: dict[bytes, dict[str, Any]] = field(default_factory=dict)
    lines: dict[tuple[bytes, int], dict[str, Any]] = field(default_factory=dict)
    allocations: dict[bytes, dict[str, Any]] = field(default_factory=dict)
    needs: dict[bytes, dict[str, Any]] = field(default_factory=dict)
    shipments: dict[bytes, dict[str, Any]] = field(default_factory=dict)

    def apply(self, e: DecodedEvent) -> None:
        a = e.args
        match e.name:
            case "GiftRecorded":
                self.pools[a["poolId"]][0] += a["amount"]
            case "FundsAllocated":
                self.pools[a["poolId"]][1] += a["amount"]
                self.allocations[a["allocationId"]] = {
                    "pool": a["poolId"],
                    "amount": a["amount"],
                    "spent": 0,
                    "released": 0,
                }
            case "AllocationSpent":
                self.allocations[a["allocationId"]]["spent"] += a["amount"]
            case "AllocationReleased":
                self.pools[a["poolId"]][1] -= a["amount"]
                self.allocations[a["allocationId"]]["released"] += a["amount"]
            case "LotCreated":
                self.lots[a["lotId"]] = {
                    "site": a["siteId"],
                    "item": a["itemId"],
                    "created": a["quantity"],
                    "shipped": 0,
                    "handed": 0,
                    "adjusted_out": 0,
                }
            case "ShipmentDispatched":
                self.shipments[a["shipmentId"]] = {"from": a["fromSite"], "to": a["toSite"]}
            case "ShipmentLineDispatched":
                self.lots[a["lotId"]]["shipped"] += a["quantity"]
                self.lines[(a["shipmentId"], a["lineIndex"])] = {
                    "lot": a["lotId"],
                    "dispatched": a["quantity"],
                    "received": 0,
                    "declared": 0,
                    "settled": False,
                }
            case "ShipmentLineReceived":
                line = self.lines[(a["shipmentId"], a["lineIndex"])]
                line.update(received=a["received"], declared=a["declared"], settled=True)
            case "HandedOver":
                self.lots[a["lotId"]]["handed"] += a["quantity"]
                self.needs[a["needId"]]["fulfilled"] += a["quantity"]
            case "LotAdjusted":
                self.lots[a["lotId"]]["adjusted_out"] -= a["delta"]
            case "NeedPosted":
                self.needs[a["needId"]] = {
                    "site": a["siteId"],
                    "item": a["itemId"],
                    "quantity": a["quantity"],
                    "fulfilled": 0,
                    "open": True,
                }
            case "NeedClosed":
                self.needs[a["needId"]]["open"] = False

    def on_hand(self, lot_id: bytes) -> int:
        lot = self.lots[lot_id]
        return int(lot["created"] - lot["shipped"] - lot["handed"] - lot["adjusted_out"])


class ConservationMachine(RuleBasedStateMachine):
    """Random writes against one deployed system; the world is reset between examples."""

    world: World

    def __init__(self) -> None:
        super().__init__()
        reset_ids()  # the same steps must draw the same ids when Hypothesis replays an example
        self.ledger = self.world.ledger
        w3 = self.ledger.client.w3
        self.snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
        self.seq, self.head = self.ledger.ledger_head()
        self.derived = Derived()
        self.touched_lots: set[bytes] = set()
        self.touched_pools: set[bytes] = set()

    def teardown(self) -> None:
        for lot_id in self.derived.lots:
            self.touched_lots.add(lot_id)
        for pool_id in self.derived.pools:
            self.touched_pools.add(pool_id)
        self.check_against_contracts()
        self.ledger.client.w3.provider.make_request("evm_revert", [self.snapshot])  # type: ignore[arg-type]

    # ---------------------------------------------------------------- plumbing

    def expect(self, error: str | None, write: Any) -> None:
        """Run `write`; it must succeed when `error` is None, else revert with exactly `error`."""
        if error is None:
            receipt = write()
            for event in verify_sequence(events(self.world, receipt), self.seq, self.head):
                self.derived.apply(event)
                self.seq, self.head = event.seq, event.head
                for key in ("lotId",):
                    if key in event.args and event.args[key] in self.derived.lots:
                        self.touched_lots.add(event.args[key])
                if "poolId" in event.args:
                    self.touched_pools.add(event.args["poolId"])
            return
        with pytest.raises(ContractRevertError) as info:
            write()
        assert info.value.error == error, f"expected {error}, got {info.value}"
        assert self.ledger.ledger_head() == (self.seq, self.head), (
            "a refused write changed the ledger"
        )

    def lots_at(self, sites: tuple[str, ...]) -> list[bytes]:
        ids = {self.world.sites[s] for s in sites}
        return sorted(k for k, v in self.derived.lots.items() if v["site"] in ids)

    # ---------------------------------------------------------------- money

    @initialize()
    def start(self) -> None:
        """Nothing yet: each example starts from the seeded world."""

    @rule(pool=st.sampled_from(POOLS), amount=st.integers(0, 50_000))
    def gift(self, pool: tuple[bytes, EarmarkKind, bytes], amount: int) -> None:
        currency, kind, earmark = pool
        error = "FundLedgerZeroAmount" if amount == 0 else None
        self.expect(
            error,
            lambda: self.ledger.record_gift(
                self.world.intake, gift_input(amount, currency, kind, earmark)
            ),
        )

    @rule(pool=st.sampled_from(POOLS), amount=st.integers(1, 60_000), purpose_ok=st.booleans())
    def allocate(
        self, pool: tuple[bytes, EarmarkKind, bytes], amount: int, purpose_ok: bool
    ) -> None:
        currency, kind, earmark = pool
        pid = self.ledger.pool_id(currency, kind, earmark)
        received, allocated = self.derived.pools[pid]
        purpose = earmark if (kind == EarmarkKind.PURPOSE and purpose_ok) else label("other")
        error = None
        if amount > received - allocated:
            error = "FundLedgerInsufficientPool"
        elif kind == EarmarkKind.PURPOSE and not purpose_ok:
            error = "FundLedgerEarmarkMismatch"
        allocation_id = fresh("allocation")
        self.expect(
            error,
            lambda: self.ledger.allocate_funds(
                self.world.coordinator,
                allocation_id,
                currency,
                kind,
                earmark,
                amount,
                ZERO32,
                purpose,
            ),
        )

    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        if not self.derived.allocations:
            return
        allocation_id = data.draw(st.sampled_from(sorted(self.derived.allocations)))
        a = self.derived.allocations[allocation_id]
        error = (
            None
            if a["amount"] - a["spent"] - a["released"] > 0
            else "FundLedgerInsufficientAllocation"
        )
        self.expect(
            error, lambda: self.ledger.release_allocation(self.world.coordinator, allocation_id)
        )

    @rule(data=st.data(), amount=st.integers(1, 20_000), quantity=st.integers(1, 500))
    def purchase(self, data: st.DataObject, amount: int, quantity: int) -> None:
        if not self.derived.allocations:
            return
        allocation_id = data.draw(st.sampled_from(sorted(self.derived.allocations)))
        a = self.derived.allocations[allocation_id]
        error = (
            None
            if amount <= a["amount"] - a["spent"] - a["released"]
            else "FundLedgerInsufficientAllocation"
        )
        p = purchase_input(self.world, allocation_id, amount, quantity)
        self.expect(error, lambda: self.ledger.record_purchase(self.world.coordinator, p))

    # ---------------------------------------------------------------- goods

    @rule(
        site=st.sampled_from(["wh_a", "wh_b"]),
        item=st.sampled_from(["mask", "rice"]),
        quantity=st.integers(0, 1_000),
    )
    def in_kind(self, site: str, item: str, quantity: int) -> None:
        gift = in_kind_input(self.world, quantity, site, item)
        error = "SupplyLedgerZeroQuantity" if quantity == 0 else None
        self.expect(error, lambda: self.ledger.record_in_kind_gift(self.world.intake, gift))

    @rule(
        data=st.data(),
        to=st.sampled_from(["wh_a", "wh_b", "hospital", "clinic"]),
        extra=st.integers(-50, 10),
    )
    def dispatch(self, data: st.DataObject, to: str, extra: int) -> None:
        lots = self.lots_at(("wh_a", "wh_b", "hospital", "clinic"))
        if not lots:
            return
        lot_id = data.draw(st.sampled_from(lots))
        site = next(
            k for k, v in self.world.sites.items() if v == self.derived.lots[lot_id]["site"]
        )
        available = self.derived.on_hand(lot_id)
        quantity = max(0, available + extra)
        error = None
        if site == to:
            error = "SupplyLedgerSameSite"
        elif quantity == 0:
            error = "SupplyLedgerZeroQuantity"
        elif quantity > available:
            error = "SupplyLedgerInsufficientStock"
        sender = self.world.staff[OPERATOR[site]]
        shipment_id = fresh("shipment")
        line = [DispatchLine(lot_id, quantity)]
        self.expect(
            error,
            lambda: self.ledger.dispatch_shipment(
                sender, shipment_id, self.world.sites[site], self.world.sites[to], line
            ),
        )

    @rule(
        data=st.data(),
        shortfall=st.integers(-3, 40),
        reason=st.sampled_from(list(DiscrepancyReason)),
    )
    def receive(self, data: st.DataObject, shortfall: int, reason: DiscrepancyReason) -> None:
        open_lines = sorted(k for k, v in self.derived.lines.items() if not v["settled"])
        if not open_lines:
            return
        shipment_id, index = data.draw(st.sampled_from(open_lines))
        dispatched = self.derived.lines[(shipment_id, index)]["dispatched"]
        received = max(0, dispatched - shortfall)
        error = None
        if received > dispatched:
            error = "SupplyLedgerOverReceipt"
        elif received < dispatched and reason == DiscrepancyReason.NONE:
            error = "SupplyLedgerMissingReason"
        elif received == dispatched and reason != DiscrepancyReason.NONE:
            error = "SupplyLedgerUnexpectedReason"
        to = next(
            k for k, v in self.world.sites.items() if v == self.derived.shipments[shipment_id]["to"]
        )
        operator = self.world.staff[OPERATOR[to]]
        line = [ReceiptLine(index, received, reason)]
        self.expect(error, lambda: self.ledger.receive_shipment(operator, shipment_id, line))

    @rule(
        site=st.sampled_from(RECIPIENTS),
        item=st.sampled_from(["mask", "rice"]),
        quantity=st.integers(1, 500),
    )
    def post_need(self, site: str, item: str, quantity: int) -> None:
        need_id = fresh("need")
        self.expect(
            None,
            lambda: self.ledger.post_need(
                self.world.hospital,
                need_id,
                self.world.sites[site],
                self.world.items[item],
                quantity,
                1,
                0,
            ),
        )

    @rule(data=st.data(), quantity=st.integers(1, 300))
    def hand_over(self, data: st.DataObject, quantity: int) -> None:
        lots = self.lots_at(RECIPIENTS)
        needs = sorted(self.derived.needs)
        if not lots or not needs:
            return
        lot_id, need_id = data.draw(st.sampled_from(lots)), data.draw(st.sampled_from(needs))
        lot, need = self.derived.lots[lot_id], self.derived.needs[need_id]
        error = None
        if not need["open"]:
            error = "SupplyLedgerNeedClosed"
        elif (need["site"], need["item"]) != (lot["site"], lot["item"]):
            error = "SupplyLedgerNeedMismatch"
        elif quantity > need["quantity"] - need["fulfilled"]:
            error = "SupplyLedgerNeedExceeded"
        elif quantity > self.derived.on_hand(lot_id):
            error = "SupplyLedgerInsufficientStock"
        hand_id = fresh("handover")
        self.expect(
            error,
            lambda: self.ledger.record_hand_over(
                self.world.hospital, hand_id, lot_id, need_id, quantity, 3, BeneficiaryUnit.PEOPLE
            ),
        )

    @rule(
        data=st.data(),
        delta=st.integers(-300, 50),
        reason=st.sampled_from(list(AdjustmentReason)[1:]),
    )
    def adjust(self, data: st.DataObject, delta: int, reason: AdjustmentReason) -> None:
        lots = sorted(self.derived.lots)
        if not lots:
            return
        lot_id = data.draw(st.sampled_from(lots))
        site = next(
            k for k, v in self.world.sites.items() if v == self.derived.lots[lot_id]["site"]
        )
        error = None
        if delta == 0 or (delta > 0 and reason != AdjustmentReason.COUNT_CORRECTION):
            error = "SupplyLedgerInvalidAdjustment"
        elif -delta > self.derived.on_hand(lot_id):
            error = "SupplyLedgerInsufficientStock"
        operator = self.world.staff[OPERATOR[site]]
        adj_id = fresh("adjustment")
        self.expect(
            error, lambda: self.ledger.record_adjustment(operator, adj_id, lot_id, delta, reason)
        )

    # ---------------------------------------------------------------- invariants

    @invariant()
    def laws_hold_in_events(self) -> None:
        for received, allocated in self.derived.pools.values():
            assert 0 <= allocated <= received, (
                "pool: received = allocated + available, available >= 0"
            )
        for lot_id in self.derived.lots:
            assert self.derived.on_hand(lot_id) >= 0, (
                "lot: created = shipped + on hand + handed + adjusted"
            )
        for line in self.derived.lines.values():
            if line["settled"]:
                assert line["dispatched"] == line["received"] + line["declared"]
        for need in self.derived.needs.values():
            assert need["fulfilled"] <= need["quantity"]

    @invariant()
    def contracts_match_events(self) -> None:
        self.check_against_contracts()

    def check_against_contracts(self) -> None:
        assert self.ledger.ledger_head() == (self.seq, self.head)
        for pool_id in self.touched_pools:
            assert list(self.ledger.pool(pool_id)) == self.derived.pools[pool_id]
        for lot_id in self.touched_lots:
            assert self.ledger.lot(lot_id)[2] == self.derived.on_hand(lot_id)
        self.touched_lots.clear()
        self.touched_pools.clear()


@pytest.fixture(scope="module", params=sorted(RPC_BACKENDS))
def session_world(request: pytest.FixtureRequest) -> Iterator[World]:
    """The stateful profile runs on the JSON-RPC nodes only."""
    with RPC_BACKENDS[request.param]() as w3:
        yield build_world(w3, request.param)


@pytest.mark.slow
def test_conservation_laws_hold_under_random_operations(world: World) -> None:
    ConservationMachine.world = world
    # The CI floor (200 examples x 30 steps) runs on anvil; the devnet, about 3x slower per
    # transaction, gets a quarter of it in CI and the full fuzz profile in `make fuzz`.
    profile = settings()
    if world.backend == "devnet" and profile.max_examples <= 200:
        profile = settings(profile, max_examples=max(20, profile.max_examples // 4))
    run_state_machine_as_test(ConservationMachine, settings=profile)
