"""The portal's scenario: docs/attribution.md's worked example written through the write
service, plus names that are HTML and script payloads (everything from the chain is untrusted)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from eth_utils import keccak

from ledger.chain.ids import label, region_code
from ledger.chain.types import (
    AdjustmentReason,
    DiscrepancyReason,
    DispatchLine,
    OrgKind,
    ReceiptLine,
    SiteKind,
)
from ledger.queries.sentences import Code, Sentence
from ledger.write.commands import (
    Adjust,
    AllocateFunds,
    DispatchShipment,
    GrantSiteOperator,
    HandOver,
    PostNeed,
    ReceiveShipment,
    RecordGift,
    RecordInKindGift,
    RecordPledge,
    RecordPurchase,
    RegisterItem,
    RegisterOrganisation,
    RegisterSite,
)
from ledger.write.receipts import ReceiptCode
from ledger.write.service import WriteService
from tests.contracts.world import CNY, USD, World

SCRIPT = '<script>alert("org")</script>'
IMG = '"><img src=x onerror=alert(1)>'
PAYLOADS = {
    "org": SCRIPT,
    "site": f"WH {IMG}",
    "item": "<b>bold</b> masks & {{7*7}}",
    "donor": "</td><script>alert('donor')</script>",
}


# How the trace of the first gift describes its shipment line: 950 dispatched from wh_a,
# 940 received at the hospital, 10 damaged (the scenario writes exactly that).
DAMAGED_LINE = Sentence(
    "line_received_short",
    {
        "line": 0,
        "from_site": "wh_a",
        "to_site": "hospital",
        "received": 940,
        "quantity": 950,
        "declared": 10,
        "reason": Code("discrepancy_reason", "damaged"),
    },
)


@dataclass(frozen=True)
class Scenario:
    """What the scenario wrote, by name: receipt codes and the ids pages are about."""

    codes: dict[str, ReceiptCode]
    ids: dict[str, bytes]
    tx: dict[str, str]


def write(world: World) -> Scenario:
    """Write the scenario on `world`'s chain; ids and codes to find it again."""
    service = WriteService(world.ledger)
    codes: dict[str, ReceiptCode] = {}
    ids: dict[str, bytes] = {}
    tx: dict[str, str] = {}
    evil_org = RegisterOrganisation("org:evil", OrgKind.SUPPLIER, PAYLOADS["org"])
    service.submit(world.admin, evil_org)
    evil_site = RegisterSite(
        "site:evil", evil_org.record_id, SiteKind.WAREHOUSE, region_code("CN-HB"), PAYLOADS["site"]
    )
    service.submit(world.admin, evil_site)
    service.submit(
        world.admin, GrantSiteOperator("op:evil", evil_site.record_id, world.wh_a.address)
    )
    evil_item = RegisterItem("item:evil", label("ppe"), "box", PAYLOADS["item"])
    service.submit(world.coordinator, evil_item)
    ids.update(evil_site=evil_site.record_id, evil_item=evil_item.record_id)

    for name, source, amount in (("g3", "bank:G3", 150_000), ("g4", "bank:G4", 50_000)):
        code = ReceiptCode.new()
        gift = RecordGift(source, CNY, amount, code.commitment, keccak(text=source))
        tx[name] = service.submit(world.intake, gift).tx_hash
        codes[name] = code
    named = ReceiptCode.new()
    service.submit(
        world.intake,
        RecordGift(
            "bank:named",
            USD,
            2_500,
            named.commitment,
            keccak(text="n"),
            public_name=PAYLOADS["donor"],
        ),
    )
    codes["named"] = named
    pledge = RecordPledge("pledge:P1", CNY, 300_000, keccak(text="pledger"), 0)
    service.submit(world.intake, pledge)

    allocation = AllocateFunds("alloc:A4", CNY, 200_000)
    service.submit(world.coordinator, allocation)
    bought = RecordPurchase(
        "invoice:P2",
        allocation.record_id,
        world.orgs["supplier"],
        160_000,
        label("invoice P2"),
        world.items["mask"],
        world.sites["wh_a"],
        1_000,
    )
    service.submit(world.coordinator, bought)
    shipment = DispatchShipment(
        "waybill:S",
        world.sites["wh_a"],
        world.sites["hospital"],
        (DispatchLine(bought.lot_id, 950),),
    )
    tx["shipment"] = service.submit(world.wh_a, shipment).tx_hash
    received = ReceiveShipment(
        "receipt:S", shipment.record_id, (ReceiptLine(0, 940, DiscrepancyReason.DAMAGED),)
    )
    service.submit(world.hospital, received)
    receipt_lot = bytes(world.ledger.view("supply", "receiptLotId", shipment.record_id, 0))
    need = PostNeed("form:need", world.sites["hospital"], world.items["mask"], 600)
    service.submit(world.hospital, need)
    service.submit(world.hospital, HandOver("handover:H1", receipt_lot, need.record_id, 500, 250))
    service.submit(world.wh_a, Adjust("count:L2", bought.lot_id, -5, AdjustmentReason.EXPIRED))

    in_kind = ReceiptCode.new()
    soon = int(time.time()) + 10 * 86_400
    service.submit(
        world.intake,
        RecordInKindGift(
            "note:evil",
            evil_item.record_id,
            evil_site.record_id,
            200,
            in_kind.commitment,
            keccak(text="delivery note"),
            expiry=soon,
        ),
    )
    codes["in_kind"] = in_kind
    ids.update(shipment=shipment.record_id, lot=bought.lot_id, need=need.record_id)
    return Scenario(codes, ids, tx)
