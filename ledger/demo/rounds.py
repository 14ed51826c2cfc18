"""A matching round of the demo, as a relief office runs one.

Recipient officers post the round's needs; the mirror is indexed; the real planner
(`ledger.write.matching.plan`, the rule of `aidledger match`) proposes shipments from warehouse
stock and allocations for what stock cannot cover, priced per item in CNY; warehouse operators
dispatch and the coordinator allocates, each through the write service; the coordinator buys
with each new allocation from a supplier into the district's warehouse; half a day later the
recipient officers receive the shipments (a few short, damaged or partly lost, with the reason)
and hand what arrived over to the needs it was sent for.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from sqlalchemy import select
from sqlmodel import col

from ledger.chain.ids import label
from ledger.chain.types import (
    AdjustmentReason,
    BeneficiaryUnit,
    DiscrepancyReason,
    ReceiptLine,
)
from ledger.demo import scenario as sc
from ledger.demo.seeder import DAY, Seeder
from ledger.queries.funds import pools
from ledger.queries.needs import OpenNeed, open_needs
from ledger.queries.stock import en_route, warehouse_stock
from ledger.store.models import Shipment, ShipmentLine
from ledger.write.commands import (
    Adjust,
    AllocateFunds,
    Command,
    DispatchShipment,
    HandOver,
    PostNeed,
    ReceiveShipment,
    RecordPurchase,
)
from ledger.write.matching import Plan, Pricing, need_order, plan

SUPPLIER_BY_CATEGORY = {
    "ppe": "sup-medtex",
    "disinfection": "sup-medtex",
    "testing": "sup-clearair",
    "respiratory": "sup-clearair",
    "food": "sup-harvest",
}
SHORTFALLS = (DiscrepancyReason.SHORT, DiscrepancyReason.DAMAGED, DiscrepancyReason.LOST)


def round_day(number: int) -> int:
    """The day of round `number` from the start."""
    week, slot = divmod(number, sc.ROUNDS_PER_WEEK)
    return week * 7 + sc.ROUND_DAYS[slot]


def run_round(seeder: Seeder, number: int) -> None:
    """Needs, index, plan, dispatch and allocate, buy, receive, hand over."""
    day = round_day(number)
    seeder.advance_to(day + 0.375)  # 09:00
    post_needs(seeder, number, day)
    seeder.index()
    seeder.submit_all(stragglers(seeder))
    with seeder.session() as session:
        needs = open_needs(session)
        stock = warehouse_stock(session)
        now = seeder.head_time()
        result = plan(
            needs,
            stock,
            en_route(session, now),
            pools(session, "CNY"),
            now=now,
            pricing=pricing(seeder),
        )
    apply(seeder, result)
    buy(seeder, result, {n.need_id: n for n in needs})
    seeder.advance_to(day + 0.75)  # 18:00
    lot_items = {lot.lot_id: lot.item_id for lot in stock}
    receive_and_hand_over(seeder, result, needs, lot_items)


def post_needs(seeder: Seeder, number: int, day: int) -> None:
    """The round's needs, each posted by the officer of its site."""
    writes: list[tuple[LocalAccount, Command]] = []
    for need in (n for n in seeder.plan.needs if n.round == number):
        site = "0x" + seeder.site_id(need.site).hex()
        deadline = seeder.at_day(day + need.deadline_days + 0.5) if need.deadline_days else 0
        command = PostNeed(
            seeder.source(need.ref),
            seeder.site_id(need.site),
            seeder.item_id(need.item),
            need.quantity,
            need.priority,
            deadline,
        )
        writes.append((seeder.signer_of_site(site), command))
    seeder.submit_all(writes)


def pricing(seeder: Seeder) -> Pricing:
    """What the coordinator pays per unit of each item, in CNY."""
    return Pricing("CNY", {"0x" + seeder.item_id(i.key).hex(): i.price for i in seeder.plan.items})


def apply(seeder: Seeder, result: Plan) -> None:
    """Each line of the plan, signed by the warehouse's operator or the coordinator."""
    writes: list[tuple[LocalAccount, Command]] = []
    for line in result.lines:
        if line.signer_site is None:
            writes.append((seeder.role_key("coordinator"), line.command))
        else:
            writes.append((seeder.signer_of_site(line.signer_site), line.command))
    seeder.submit_all(writes)


def buy(seeder: Seeder, result: Plan, needs: dict[str, OpenNeed]) -> None:
    """A purchase spending each new allocation on the need's item, delivered to the warehouse
    of the need's district."""
    by_key = {"0x" + seeder.item_id(i.key).hex(): i for i in seeder.plan.items}
    coordinator = seeder.role_key("coordinator")
    now = seeder.head_time()
    writes: list[tuple[LocalAccount, Command]] = []
    for line in result.lines:
        command = line.command
        if not isinstance(command, AllocateFunds):
            continue
        need = needs["0x" + command.need_id.hex()]
        item = by_key[need.item_id]
        warehouse = seeder.plan.warehouse_of(need.region)
        ref = f"po:{command.record_id.hex()[:16]}"
        expiry = now + item.shelf_days * DAY if item.shelf_days else 0
        writes.append(
            (
                coordinator,
                RecordPurchase(
                    seeder.source(ref),
                    command.record_id,
                    seeder.org_id(SUPPLIER_BY_CATEGORY[item.category]),
                    command.amount,
                    keccak(text=f"demo invoice {ref}"),
                    seeder.item_id(item.key),
                    seeder.site_id(warehouse.key),
                    command.amount // item.price,
                    label(f"PO-{command.record_id.hex()[:8].upper()}"),
                    expiry,
                ),
            )
        )
    seeder.submit_all(writes)


def receipt_lot(shipment: bytes, line: int) -> bytes:
    """The lot a received line becomes (`SupplyLedger.receiptLotId`)."""
    return keccak(encode(["bytes32", "uint32"], [shipment, line]))


def stragglers(seeder: Seeder) -> list[tuple[LocalAccount, Command]]:
    """Shipments to the demo's sites with lines still open in the mirror (left in transit by a
    run that stopped between dispatch and receipt), received in full by the site's officer."""
    with seeder.session() as session:
        rows = session.execute(
            select(col(Shipment.shipment_id), col(Shipment.to_site), ShipmentLine)
            .join(ShipmentLine, col(ShipmentLine.shipment_id) == col(Shipment.shipment_id))
            .where(col(ShipmentLine.settled).is_(False))
            .order_by(col(Shipment.seq), col(ShipmentLine.line_index))
        ).all()
    open_lines: dict[tuple[str, str], list[ReceiptLine]] = defaultdict(list)
    for shipment, site, line in rows:
        open_lines[(shipment, site)].append(ReceiptLine(line.line_index, line.quantity))
    writes: list[tuple[LocalAccount, Command]] = []
    for (shipment, site), lines in open_lines.items():
        target = bytes.fromhex(shipment[2:])
        command = ReceiveShipment(seeder.source(f"straggler:{shipment}"), target, tuple(lines))
        writes.append((seeder.signer_of_site(site), command))
    return writes


def receipt_lines(seeder: Seeder, shipment: DispatchShipment) -> tuple[ReceiptLine, ...]:
    """All lines received in full, except on a few shipments (by the seed): one line short,
    damaged or lost in part, with that reason."""
    roll = keccak(text=f"demo-receipt:{seeder.plan.seed}:{shipment.record_id.hex()}")
    odd = roll[0] < 256 * sc.DISCREPANCY_RATE
    lines = []
    for index, line in enumerate(shipment.lines):
        if odd and index == roll[1] % len(shipment.lines):
            reason = SHORTFALLS[roll[2] % len(SHORTFALLS)]
            missing = max(1, line.quantity * (5 + roll[3] % 20) // 100)
            lines.append(ReceiptLine(index, line.quantity - missing, reason))
        else:
            lines.append(ReceiptLine(index, line.quantity))
    return tuple(lines)


@dataclass
class _Open:
    need: OpenNeed
    left: int


def receive_and_hand_over(
    seeder: Seeder, result: Plan, needs: list[OpenNeed], lot_items: dict[str, str]
) -> None:
    """Receive every shipment of the plan; then hand what arrived over to the site's open
    needs of the item, in the planner's order."""
    waiting: dict[tuple[str, str], list[_Open]] = defaultdict(list)
    for need in sorted(needs, key=need_order):
        waiting[(need.site_id, need.item_id)].append(_Open(need, need.outstanding))
    receipts: list[tuple[LocalAccount, Command]] = []
    handovers: list[tuple[LocalAccount, Command]] = []
    for line in result.lines:
        shipment = line.command
        if not isinstance(shipment, DispatchShipment):
            continue
        site = "0x" + shipment.to_site.hex()
        officer = seeder.signer_of_site(site)
        received = receipt_lines(seeder, shipment)
        receipts.append((officer, ReceiveShipment(shipment.source, shipment.record_id, received)))
        for got in received:
            lot = receipt_lot(shipment.record_id, got.line_index)
            item = lot_items["0x" + bytes(shipment.lines[got.line_index].lot_id).hex()]
            for command in hand_over(seeder, lot, got.received, waiting[(site, item)]):
                handovers.append((officer, command))
    seeder.submit_all(receipts)
    seeder.submit_all(handovers)


def hand_over(seeder: Seeder, lot: bytes, units: int, waiting: list[_Open]) -> list[HandOver]:
    """`units` of `lot` for the waiting needs, first first."""
    found = []
    for entry in waiting:
        take = min(units, entry.left)
        if take <= 0:
            continue
        need_id = bytes.fromhex(entry.need.need_id[2:])
        food = entry.need.category == "0x" + label("food").hex()
        found.append(
            HandOver(
                seeder.source(f"handover:{lot.hex()[:16]}:{need_id.hex()[:16]}"),
                lot,
                need_id,
                take,
                beneficiaries=take if food else max(1, take // 4),
                unit=BeneficiaryUnit.HOUSEHOLDS if food else BeneficiaryUnit.PEOPLE,
            )
        )
        entry.left -= take
        units -= take
        if units == 0:
            break
    return found


def write_off_expired(seeder: Seeder, week: int) -> None:
    """At the week's end, each warehouse operator writes off what expired on their shelves."""
    seeder.advance_to(week * 7 + 6)
    seeder.index()
    now = seeder.head_time()
    with seeder.session() as session:
        expired = [lot for lot in warehouse_stock(session) if 0 < lot.expiry <= now]
    writes: list[tuple[LocalAccount, Command]] = []
    for lot in expired:
        command = Adjust(
            seeder.source(f"expired:{lot.lot_id}"),
            bytes.fromhex(lot.lot_id[2:]),
            -lot.on_hand,
            AdjustmentReason.EXPIRED,
        )
        writes.append((seeder.signer_of_site(lot.site_id), command))
    seeder.submit_all(writes)
