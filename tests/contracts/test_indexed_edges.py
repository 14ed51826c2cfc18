"""The indexer in the loop: whatever the contracts accept, the indexer indexes and verify finds
clean. A Hypothesis state machine draws edge inputs (zero, one, the largest accepted value and
beyond, ids reused across every namespace, empty and maximal batches, every reason code) without
predicting which the contracts refuse: a refused write must change nothing; an accepted one must
index, and after each step the mirror's accounting check is clean (full `verify` every 10 steps).
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from enum import IntEnum
from pathlib import Path
from typing import Any

import hypothesis
import orjson
import pytest
from eth_account.signers.local import LocalAccount
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text

from ledger.chain.events import DecodedEvent, verify_sequence
from ledger.chain.ids import ZERO32, label
from ledger.chain.rpc import Rpc
from ledger.chain.types import (
    AdjustmentReason,
    BeneficiaryUnit,
    DiscrepancyReason,
    DispatchLine,
    EarmarkKind,
    ReceiptLine,
)
from ledger.errors import ContractRevertError
from ledger.indexer.accounting import account
from ledger.indexer.apply import read_state
from ledger.indexer.sync import SyncOptions, sync
from ledger.indexer.verify import verify
from ledger.reports.produce import produce
from ledger.reports.verify import verify_report
from ledger.store.db import make_engine, upgrade
from tests.chain_backends import RPC_BACKENDS
from tests.contracts.helpers import (
    events,
    fresh,
    gift_input,
    in_kind_input,
    purchase_input,
    reset_ids,
)
from tests.contracts.test_conservation import OPERATOR, POOLS, Derived
from tests.contracts.world import CNY, World, build_world
from tests.ledger.reports.conftest import EVERYTHING


@pytest.fixture(scope="module", params=sorted(RPC_BACKENDS))
def session_world(request: pytest.FixtureRequest) -> Iterator[World]:
    """The stateful profile runs on the JSON-RPC nodes only."""
    with RPC_BACKENDS[request.param]() as w3:
        yield build_world(w3, request.param)


MAX = 2**63 - 1  # the largest value the contracts take, as the docs say; the rules go past it
# Edge values a time out of four, else an ordinary amount or quantity.
EDGE = st.one_of(
    st.sampled_from([0, 1, 2, MAX - 1, MAX, MAX + 1, 2**64, 2**128 - 1]),
    st.integers(1, 600),
    st.integers(1, 600),
    st.integers(1, 600),
)
EDGE_DELTA = st.sampled_from([0, 1, -1, MAX, -MAX, MAX + 1, -(MAX + 1), 2**127 - 1, -(2**127)])
SITES = ("wh_a", "wh_b", "hospital", "clinic")
MAX_BATCH = 12  # "maximal": a batch as large as the rules send (the contracts set no limit)


def codes(enum: type[IntEnum]) -> st.SearchStrategy[int]:
    """Every code of `enum`, and the first and last codes past it."""
    return st.sampled_from([*map(int, enum), len(enum), 255])


class IndexedEdgeMachine(RuleBasedStateMachine):
    """Edge inputs against the contracts, with the indexer in the loop.

    The rules do not predict which writes the contracts refuse: each write is either refused
    (and then nothing on chain changed) or accepted (and then folded into `Derived`). Every
    `SYNC_EVERY` steps a SQLite mirror catches up and the independent accounting check must be
    clean; every `VERIFY_EVERY` steps, and at the end, the whole of `verify` must be (rebuild
    diff, accounting, contract views). Ids are drawn fresh or reused from any namespace.
    """

    world: World
    template: Path  # a migrated, empty mirror, copied for each example
    SYNC_EVERY = 1
    VERIFY_EVERY = 10

    def __init__(self) -> None:
        super().__init__()
        reset_ids()
        self.ledger = self.world.ledger
        w3 = self.ledger.client.w3
        self.snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
        self.seq, self.head = self.ledger.ledger_head()
        self.derived = Derived()
        # namespace -> ids seen on chain in it (a money and an in-kind gift id are two)
        self.ids: dict[str, list[bytes]] = {
            "zero": [ZERO32],
            "site": list(self.world.sites.values()),
            "item": list(self.world.items.values()),
            "org": list(self.world.orgs.values()),
        }
        self.accepted: Counter[str] = Counter()
        self.pledges: list[bytes] = []
        self.steps = 0
        self.tmp = Path(tempfile.mkdtemp(prefix="aidledger-edge-"))
        shutil.copy(self.template, self.tmp / "mirror.sqlite3")
        self.mirror = make_engine(f"sqlite:///{self.tmp / 'mirror.sqlite3'}")
        self.rpc = Rpc(str(w3.provider.endpoint_uri), timeout=30)  # type: ignore[attr-defined]

    def teardown(self) -> None:
        try:
            self.catch_up()
            differences = verify(self.mirror, self.rpc, self.ledger.deployment, self.tmp)
            assert differences == [], "\n".join(map(str, differences))
            self.check_report()
        finally:
            self.mirror.dispose()
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.ledger.client.w3.provider.make_request("evm_revert", [self.snapshot])  # type: ignore[arg-type]

    def check_report(self) -> None:
        """A report of everything reconciles, re-derives from the chain, and closes where the
        mirror stands (its fold shares no code with the indexer)."""
        made = produce(self.mirror, EVERYTHING, "json", self.tmp / "report.json")
        tables = orjson.loads(made.files[0].read_bytes())["tables"]
        for name in ("money_reconciliation", "goods_reconciliation"):
            assert all(row[-1] == 0 for row in tables[name]["rows"]), tables[name]
        bad = [f for f in verify_report(made.files[0], self.rpc) if not f.ok]
        assert bad == [], "\n".join(map(str, bad))
        with self.mirror.connect() as conn:
            pools = {r[0]: r[1:] for r in conn.execute(text("SELECT pool_id, received FROM pools"))}
            held = conn.execute(text("SELECT lot_id, on_hand FROM lots")).all()
        lots: dict[str, int] = dict(held)
        assert {r[0]: (r[6],) for r in tables["pools"]["rows"]} == pools
        closing = {r[2]: r[-1] for r in tables["lots"]["rows"]}
        assert closing == {k: v for k, v in lots.items() if k in closing}
        assert all(v == 0 for k, v in lots.items() if k not in closing)

    # ---------------------------------------------------------------- plumbing

    def attempt(self, name: str, write: Any) -> None:
        """Run `write`: refused, and then nothing changed; or accepted and folded in."""
        block = self.ledger.client.w3.eth.block_number
        try:
            receipt = write()
        except ContractRevertError as exc:
            hypothesis.event(f"refused {name}: {exc.error}")
            assert self.ledger.ledger_head() == (self.seq, self.head), "a refused write changed"
            assert self.ledger.client.w3.eth.block_number == block, "a refused write was mined"
            self.assert_views_match_events()
            return
        self.accepted[name] += 1
        hypothesis.event(f"accepted {name}")
        for event in verify_sequence(events(self.world, receipt), self.seq, self.head):
            self.derived.apply(event)
            self.seq, self.head = event.seq, event.head
            if event.name == "PledgeRecorded":
                self.pledges.append(event.args["pledgeId"])
            self.remember(event)

    def assert_views_match_events(self) -> None:
        """Every pool and lot on chain holds what the accepted writes' events say."""
        for pool_id, balances in list(self.derived.pools.items()):
            assert list(self.ledger.pool(pool_id)) == balances, pool_id.hex()
        for lot_id in self.derived.lots:
            assert self.ledger.lot(lot_id)[2] == self.derived.on_hand(lot_id), lot_id.hex()

    def remember(self, event: DecodedEvent) -> None:
        """File the event's ids by namespace (`giftId` by the ledger that issued it)."""
        for name, value in event.args.items():
            if not name.endswith("Id") or value == ZERO32:
                continue
            namespace = name.removesuffix("Id")
            if name == "giftId":
                namespace = "money gift" if event.name == "GiftRecorded" else "in-kind gift"
            seen = self.ids.setdefault(namespace, [])
            if value not in seen:
                seen.append(value)

    def any_id(self, data: st.DataObject, namespace: str, across: str = "") -> bytes:
        """A fresh id, or a time out of four one already used: half of those from the `across`
        namespace (a money gift's id as an in-kind gift's, an allocation's as a purchase's),
        the others from any namespace, its own and the zero id included."""
        if data.draw(st.integers(0, 3), label=f"reuse an id as a {namespace} id"):
            return fresh(namespace)
        spaces = sorted(self.ids)
        if across in self.ids and data.draw(st.booleans(), label=f"{across} id as {namespace}"):
            spaces = [across]
        space = data.draw(st.sampled_from(spaces), label=f"{namespace} id from")
        return data.draw(st.sampled_from(self.ids[space]), label=f"{namespace} id")

    def known(self, data: st.DataObject, known: list[bytes], namespace: str) -> bytes:
        """Mostly one of `known`, sometimes any id."""
        if known and data.draw(st.integers(0, 3), label=f"known {namespace}") > 0:
            return data.draw(st.sampled_from(known), label=namespace)
        return self.any_id(data, namespace)

    def operator_of(self, site_id: bytes) -> LocalAccount:
        names = [k for k, v in self.world.sites.items() if v == site_id]
        return self.world.staff[OPERATOR[names[0]]] if names else self.world.wh_a

    def catch_up(self) -> None:
        sync(self.mirror, self.rpc, self.ledger.deployment, SyncOptions(parallel=False))

    @initialize()
    def seed(self) -> None:
        """Something to act on: money in three pools, an allocation, stock at both warehouses,
        a need at the hospital. The edge rules then reuse, drain and overflow them."""
        w, ledger = self.world, self.ledger
        for amount, pool in ((5_000, POOLS[0]), (3_000, POOLS[1]), (2_000, POOLS[2])):
            currency, kind, earmark = pool
            gift = gift_input(amount, currency, kind, earmark)
            self.attempt("seed", lambda g=gift: ledger.record_gift(w.intake, g))
        for site, item in (("wh_a", "mask"), ("wh_b", "rice")):
            goods = in_kind_input(w, 500, site, item)
            self.attempt("seed", lambda g=goods: ledger.record_in_kind_gift(w.intake, g))
        allocation = fresh("allocation")
        self.attempt(
            "seed",
            lambda: ledger.allocate_funds(
                w.coordinator, allocation, CNY, EarmarkKind.NONE, ZERO32, 2_000, ZERO32, ZERO32
            ),
        )
        need = fresh("need")
        hospital, mask = w.sites["hospital"], w.items["mask"]
        self.attempt("seed", lambda: ledger.post_need(w.hospital, need, hospital, mask, 100, 1, 0))
        assert self.accepted["seed"] == 7, "the seed writes are valid"

    # ---------------------------------------------------------------- money

    @rule(data=st.data(), pool=st.sampled_from(POOLS), amount=EDGE, pledged=st.integers(0, 3))
    def gift(
        self,
        data: st.DataObject,
        pool: tuple[bytes, EarmarkKind, bytes],
        amount: int,
        pledged: int,
    ) -> None:
        currency, kind, earmark = pool
        pledge = self.known(data, self.pledges, "pledge") if pledged == 0 else ZERO32
        gift = gift_input(
            amount, currency, kind, earmark, pledge, self.any_id(data, "gift", "in-kind gift")
        )
        self.attempt("gift", lambda: self.ledger.record_gift(self.world.intake, gift))

    @rule(data=st.data(), size=st.sampled_from([0, 1, MAX_BATCH]), amount=EDGE)
    def gift_batch(self, data: st.DataObject, size: int, amount: int) -> None:
        gifts = [
            gift_input(amount, gift_id=self.any_id(data, "gift", "in-kind gift"))
            for _ in range(size)
        ]
        self.attempt("gift batch", lambda: self.ledger.record_gifts(self.world.intake, gifts))

    @rule(data=st.data(), pool=st.sampled_from(POOLS), amount=EDGE)
    def pledge(
        self, data: st.DataObject, pool: tuple[bytes, EarmarkKind, bytes], amount: int
    ) -> None:
        currency, kind, earmark = pool
        pledge_id = self.any_id(data, "pledge", "money gift")
        self.attempt(
            "pledge",
            lambda: self.ledger.record_pledge(
                self.world.intake, pledge_id, currency, amount, kind, earmark, label("d"), 0
            ),
        )

    @rule(data=st.data(), pool=st.sampled_from(POOLS), amount=EDGE, all_of_it=st.booleans())
    def allocate(
        self,
        data: st.DataObject,
        pool: tuple[bytes, EarmarkKind, bytes],
        amount: int,
        all_of_it: bool,
    ) -> None:
        currency, kind, earmark = pool
        if all_of_it:
            received, allocated = self.derived.pools[self.ledger.pool_id(currency, kind, earmark)]
            amount = received - allocated
        allocation_id = self.any_id(data, "allocation", "purchase")
        self.attempt(
            "allocate",
            lambda: self.ledger.allocate_funds(
                self.world.coordinator,
                allocation_id,
                currency,
                kind,
                earmark,
                amount,
                ZERO32,
                earmark if kind == EarmarkKind.PURPOSE else label("other"),
            ),
        )

    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        allocation_id = self.known(data, sorted(self.derived.allocations), "allocation")
        self.attempt(
            "release", lambda: self.ledger.release_allocation(self.world.coordinator, allocation_id)
        )

    @rule(data=st.data(), amount=EDGE, quantity=EDGE, rest=st.booleans())
    def purchase(self, data: st.DataObject, amount: int, quantity: int, rest: bool) -> None:
        allocation_id = self.known(data, sorted(self.derived.allocations), "allocation")
        a = self.derived.allocations.get(allocation_id)
        if rest and a is not None:
            amount = a["amount"] - a["spent"] - a["released"]
        p = replace(
            purchase_input(self.world, allocation_id, amount, quantity),
            purchase_id=self.any_id(data, "purchase", "allocation"),
            lot_id=self.any_id(data, "lot", "purchase"),
        )
        self.attempt("purchase", lambda: self.ledger.record_purchase(self.world.coordinator, p))

    # ---------------------------------------------------------------- goods

    @rule(
        data=st.data(),
        site=st.sampled_from(SITES),
        item=st.sampled_from(["mask", "rice"]),
        quantity=EDGE,
    )
    def in_kind(self, data: st.DataObject, site: str, item: str, quantity: int) -> None:
        gift = replace(
            in_kind_input(self.world, quantity, site, item),
            gift_id=self.any_id(data, "gift", "money gift"),
            lot_id=self.any_id(data, "lot", "in-kind gift"),
        )
        self.attempt("in kind", lambda: self.ledger.record_in_kind_gift(self.world.intake, gift))

    @rule(data=st.data(), size=st.sampled_from([0, 1, MAX_BATCH]), quantity=EDGE)
    def in_kind_batch(self, data: st.DataObject, size: int, quantity: int) -> None:
        gifts = [
            replace(
                in_kind_input(self.world, quantity), gift_id=self.any_id(data, "gift", "money gift")
            )
            for _ in range(size)
        ]
        self.attempt(
            "in kind batch", lambda: self.ledger.record_in_kind_gifts(self.world.intake, gifts)
        )

    def quantity_of(self, data: st.DataObject, lot_id: bytes, label_: str) -> int:
        """An edge value, or exactly (or one past) what the lot holds."""
        on_hand = self.derived.on_hand(lot_id) if lot_id in self.derived.lots else 0
        return data.draw(EDGE | st.sampled_from([on_hand, on_hand + 1]), label=label_)

    @rule(data=st.data(), to=st.sampled_from(SITES), size=st.sampled_from([0, 1, 2, MAX_BATCH]))
    def dispatch(self, data: st.DataObject, to: str, size: int) -> None:
        lots = sorted(self.derived.lots)
        lines = []
        for _ in range(size):
            lot_id = self.known(data, lots, "lot")
            lines.append(DispatchLine(lot_id, self.quantity_of(data, lot_id, "line quantity")))
        origin = (
            self.derived.lots[lines[0].lot_id]["site"]
            if lines and lines[0].lot_id in self.derived.lots
            else self.world.sites["wh_a"]
        )
        shipment_id = self.any_id(data, "shipment", "lot")
        self.attempt(
            "dispatch",
            lambda: self.ledger.dispatch_shipment(
                self.operator_of(origin), shipment_id, origin, self.world.sites[to], lines
            ),
        )

    @rule(data=st.data(), size=st.sampled_from([0, 1, 2, MAX_BATCH]))
    def receive(self, data: st.DataObject, size: int) -> None:
        shipment_id = self.known(data, sorted(self.derived.shipments), "shipment")
        open_lines = [i for (s, i), v in self.derived.lines.items() if s == shipment_id]
        lines = []
        for _ in range(size):
            index = data.draw(st.sampled_from([*open_lines, 0, 7, 2**32 - 1]), label="line")
            dispatched = self.derived.lines.get((shipment_id, index), {}).get("dispatched", 0)
            received = data.draw(
                st.sampled_from([dispatched, dispatched - 1, dispatched + 1, 0]) | EDGE,
                label="received",
            )
            reason = data.draw(codes(DiscrepancyReason), label="reason")
            lines.append(ReceiptLine(index, max(0, received), reason))  # type: ignore[arg-type]
        shipment = self.derived.shipments.get(shipment_id)
        to = shipment["to"] if shipment else self.world.sites["hospital"]
        self.attempt(
            "receive",
            lambda: self.ledger.receive_shipment(self.operator_of(to), shipment_id, lines),
        )

    @rule(
        data=st.data(),
        site=st.sampled_from(["hospital", "clinic", "hospital", "wh_a"]),
        item=st.sampled_from(["mask", "rice"]),
        quantity=EDGE,
        priority=st.sampled_from([0, 1, 2, 3, 4, 255]),
    )
    def post_need(
        self, data: st.DataObject, site: str, item: str, quantity: int, priority: int
    ) -> None:
        need_id = self.any_id(data, "need", "allocation")
        site_id, item_id = self.world.sites[site], self.world.items[item]
        self.attempt(
            "post need",
            lambda: self.ledger.post_need(
                self.world.hospital, need_id, site_id, item_id, quantity, priority, 0
            ),
        )

    @rule(data=st.data())
    def close_need(self, data: st.DataObject) -> None:
        need_id = self.known(data, sorted(self.derived.needs), "need")
        self.attempt("close need", lambda: self.ledger.close_need(self.world.hospital, need_id))

    @rule(
        data=st.data(),
        beneficiaries=st.sampled_from([0, 1, 2**32 - 1]),
        unit=codes(BeneficiaryUnit),
    )
    def hand_over(self, data: st.DataObject, beneficiaries: int, unit: int) -> None:
        lot_id = self.known(data, sorted(self.derived.lots), "lot")
        need_id = self.known(data, sorted(self.derived.needs), "need")
        quantity = self.quantity_of(data, lot_id, "hand-over quantity")
        lot = self.derived.lots.get(lot_id)
        sender = self.operator_of(lot["site"]) if lot else self.world.hospital
        hand_id = self.any_id(data, "handover", "shipment")
        self.attempt(
            "hand over",
            lambda: self.ledger.record_hand_over(
                sender,
                hand_id,
                lot_id,
                need_id,
                quantity,
                beneficiaries,
                unit,  # type: ignore[arg-type]
            ),
        )

    @rule(
        data=st.data(),
        delta=EDGE_DELTA | st.integers(-400, 400),
        reason=codes(AdjustmentReason),
        all_of_it=st.booleans(),
    )
    def adjust(self, data: st.DataObject, delta: int, reason: int, all_of_it: bool) -> None:
        lot_id = self.known(data, sorted(self.derived.lots), "lot")
        lot = self.derived.lots.get(lot_id)
        if all_of_it and lot is not None:
            delta = -self.derived.on_hand(lot_id)
        sender = self.operator_of(lot["site"]) if lot else self.world.wh_a
        adjustment_id = self.any_id(data, "adjustment", "handOver")
        self.attempt(
            "adjust",
            lambda: self.ledger.record_adjustment(sender, adjustment_id, lot_id, delta, reason),  # type: ignore[arg-type]
        )

    @rule(data=st.data())
    def register_item(self, data: st.DataObject) -> None:
        item_id = self.any_id(data, "item", "site")
        self.attempt(
            "register item",
            lambda: self.ledger.register_item(
                self.world.coordinator, item_id, label("misc"), "piece", "edge item"
            ),
        )

    # ---------------------------------------------------------------- the mirror

    @invariant()
    def mirror_accounts_for_every_event(self) -> None:
        self.steps += 1
        if self.steps % self.SYNC_EVERY:
            return
        self.catch_up()
        if self.steps % self.VERIFY_EVERY == 0:
            differences = verify(self.mirror, self.rpc, self.ledger.deployment, self.tmp)
        else:
            with self.mirror.connect() as conn:
                state = read_state(conn)
            assert state is not None
            differences = account(
                self.mirror, self.rpc, self.ledger.deployment, int(state["last_block"])
            )
        assert differences == [], "\n".join(map(str, differences))


@pytest.fixture(scope="module")
def mirror_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite mirror (Alembic once per module, a file copy per example)."""
    path = tmp_path_factory.mktemp("template") / "mirror.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


def run_indexed(world: World, template: Path, profile: settings) -> None:
    IndexedEdgeMachine.world = world
    IndexedEdgeMachine.template = template
    run_state_machine_as_test(IndexedEdgeMachine, settings=profile)


def test_every_accepted_write_indexes_and_verifies(world: World, mirror_template: Path) -> None:
    """CI-sized: a few short runs per node (the slow variant below runs the fuzz profile)."""
    examples = 10 if world.backend == "anvil" else 3
    run_indexed(
        world, mirror_template, settings(settings(), max_examples=examples, stateful_step_count=20)
    )


@pytest.mark.slow
def test_every_accepted_write_indexes_and_verifies_long(
    world: World, mirror_template: Path
) -> None:
    """The profile's full size (`make fuzz`: HYPOTHESIS_PROFILE=fuzz)."""
    profile = settings()
    if profile.max_examples < 1000:
        pytest.skip("the long variant runs with HYPOTHESIS_PROFILE=fuzz (make fuzz)")
    run_indexed(world, mirror_template, settings(profile, max_examples=profile.max_examples // 10))
