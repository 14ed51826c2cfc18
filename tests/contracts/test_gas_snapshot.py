"""Gas of every operation, compared with the committed contracts/gas-snapshot.json.

A change in gas fails the test so regressions show in review; run `make gas-snapshot` to
accept a change on purpose (the diff of the JSON file is the review).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from web3.types import TxReceipt

from ledger.chain.ids import derive_id, label, region_code
from ledger.chain.types import (
    AdjustmentReason,
    BeneficiaryUnit,
    DiscrepancyReason,
    DispatchLine,
    EarmarkKind,
    OrgKind,
    ReceiptLine,
    SiteKind,
)
from tests.contracts.helpers import (
    allocate,
    fresh,
    gift_input,
    give,
    in_kind_input,
    need,
    purchase_input,
    reset_ids,
    ship,
    stock,
)
from tests.contracts.world import CNY, World

SNAPSHOT = Path(__file__).resolve().parents[2] / "contracts" / "gas-snapshot.json"


def measure(world: World) -> dict[str, int]:
    """Run one of each operation in a fixed order and return gasUsed by name."""
    ledger, gas = world.ledger, {}
    reset_ids()

    def record(name: str, write: Callable[[], TxReceipt]) -> None:
        gas[name] = int(write()["gasUsed"])

    record(
        "registerOrganisation",
        lambda: ledger.register_organisation(world.admin, derive_id("o", 1), OrgKind.OTHER, "Org"),
    )
    record(
        "registerSite",
        lambda: ledger.register_site(
            world.admin,
            derive_id("s", 1),
            world.orgs["relief"],
            SiteKind.WAREHOUSE,
            region_code("CN-HB"),
            "Site",
        ),
    )
    record(
        "grantSiteOperator",
        lambda: ledger.grant_site_operator(world.admin, derive_id("s", 1), world.outsider.address),
    )
    record(
        "registerItem",
        lambda: ledger.register_item(
            world.coordinator, derive_id("i", 1), label("ppe"), "box", "Item"
        ),
    )
    record(
        "recordGift",
        lambda: ledger.record_gift(world.intake, gift_input(1_000, gift_id=derive_id("g", 1))),
    )
    record(
        "recordGifts(10)",
        lambda: ledger.record_gifts(
            world.intake, [gift_input(100, gift_id=derive_id("g", 10 + i)) for i in range(10)]
        ),
    )
    record(
        "recordPledge",
        lambda: ledger.record_pledge(
            world.intake, derive_id("p", 1), CNY, 10, EarmarkKind.NONE, b"\0" * 32, label("d"), 0
        ),
    )
    give(world, 100_000)
    allocation_id = allocate(world, 50_000)
    gas["allocateFunds"] = _last_gas(world)
    record(
        "recordPurchase",
        lambda: ledger.record_purchase(world.coordinator, purchase_input(world, allocation_id)),
    )
    record("releaseAllocation", lambda: ledger.release_allocation(world.coordinator, allocation_id))
    record(
        "recordInKindGift", lambda: ledger.record_in_kind_gift(world.intake, in_kind_input(world))
    )
    record(
        "recordInKindGifts(10)",
        lambda: ledger.record_in_kind_gifts(
            world.intake, [in_kind_input(world) for _ in range(10)]
        ),
    )
    lot_id = stock(world, 1_000)
    need_id = need(world, 500)
    gas["postNeed"] = _last_gas(world)
    shipment_id = ship(world, lot_id, 300)
    gas["dispatchShipment(1 line)"] = _last_gas(world)
    record(
        "dispatchShipment(5 lines)",
        lambda: ledger.dispatch_shipment(
            world.wh_a,
            fresh("s"),
            world.sites["wh_a"],
            world.sites["wh_b"],
            [DispatchLine(lot_id, 10)] * 5,
        ),
    )
    record(
        "receiveShipment(1 line)",
        lambda: ledger.receive_shipment(
            world.hospital, shipment_id, [ReceiptLine(0, 290, DiscrepancyReason.DAMAGED)]
        ),
    )
    hospital_lot = bytes(ledger.view("supply", "receiptLotId", shipment_id, 0))
    record(
        "recordHandOver",
        lambda: ledger.record_hand_over(
            world.hospital, fresh("h"), hospital_lot, need_id, 100, 40, BeneficiaryUnit.PEOPLE
        ),
    )
    record(
        "recordAdjustment",
        lambda: ledger.record_adjustment(
            world.wh_a, fresh("a"), lot_id, -5, AdjustmentReason.EXPIRED
        ),
    )
    record("closeNeed", lambda: ledger.close_need(world.hospital, need_id))
    seq, head = ledger.ledger_head()
    block = ledger.client.w3.eth.block_number
    record(
        "attest",
        lambda: ledger.attest(world.auditor, fresh("att"), label("r"), 0, block, seq, head),
    )
    return gas


def _last_gas(world: World) -> int:
    w3 = world.ledger.client.w3
    block = w3.eth.get_block("latest")
    tx_hash = block["transactions"][-1]
    assert isinstance(tx_hash, bytes)
    return int(w3.eth.get_transaction_receipt(tx_hash)["gasUsed"])


def test_gas_matches_committed_snapshot(world: World) -> None:
    gas = measure(world)
    if os.environ.get("AIDLEDGER_WRITE_GAS_SNAPSHOT") == "1":
        SNAPSHOT.write_text(json.dumps(gas, indent=2) + "\n")
    committed = json.loads(SNAPSHOT.read_text())
    changed = {k: (committed.get(k), v) for k, v in gas.items() if committed.get(k) != v}
    assert not changed, (
        f"gas changed (committed, now): {changed}; run `make gas-snapshot` if intended"
    )
