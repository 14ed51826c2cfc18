"""First-in, first-out attribution of money and goods to gifts (the rule in docs/contracts.md).

- A pool's allocations take money from its gifts in `seq` order (`gift_allocations`); a release
  gives the unspent part back to those gifts, which keep their place in the queue.
- An allocation's purchases take its money from its gifts in `seq` order (`gift_purchases`).
- A purchased lot's units are shared pro rata to the money, the remainder going to the earliest
  gifts; an in-kind lot belongs to its gift (`lot_sources`).
- Units leaving a lot (shipment lines, hand-overs, negative adjustments) are taken from its
  sources in gift `seq` order (`flow_sources`); a receipt lot inherits the received part of its
  line's sources, in the same order. A positive count correction is unattributed (gift "0x").
"""

from __future__ import annotations

from ledger.indexer.rows import Row, Unit

UNATTRIBUTED = "0x"


def allocate(unit: Unit, pool_id: str, allocation_id: str, amount: int) -> None:
    """Attribute `amount` of a new allocation to the pool's oldest unallocated gifts."""
    gifts, links = unit["gifts"], unit["gift_allocations"]
    links.mark_new_group("allocation_id", allocation_id)
    for gift in gifts.ordered("pool_id", pool_id, "seq", "unallocated"):
        take = min(amount, gift["unallocated"])
        gifts.add(gift, unallocated=-take)
        links.insert(
            {
                "allocation_id": allocation_id,
                "gift_id": gift["gift_id"],
                "gift_seq": gift["seq"],
                "amount": take,
                "unspent": take,
            }
        )
        amount -= take
        if amount == 0:
            return
    raise ValueError(f"allocation {allocation_id} exceeds its pool's gifts by {amount}")


def release(unit: Unit, allocation_id: str, amount: int) -> None:
    """Give back the unspent `amount`, latest gifts of the allocation first."""
    links = sorted(unit["gift_allocations"].where("allocation_id", allocation_id), key=_seq)
    for link in reversed(links):
        back = min(amount, link["unspent"])
        if back:
            unit["gift_allocations"].add(link, unspent=-back)
            gift = unit["gifts"].require(link["gift_id"])
            unit["gifts"].add(gift, unallocated=back)
            unit["gifts"].rewind("pool_id", gift["pool_id"])
            amount -= back


def spend(unit: Unit, allocation_id: str, purchase_id: str, amount: int) -> None:
    """Attribute a purchase's `amount` to the allocation's gifts, oldest first."""
    links = sorted(unit["gift_allocations"].where("allocation_id", allocation_id), key=_seq)
    unit["gift_purchases"].mark_new_group("purchase_id", purchase_id)
    for link in links:
        take = min(amount, link["unspent"])
        if take:
            unit["gift_allocations"].add(link, unspent=-take)
            row = {
                "purchase_id": purchase_id,
                "gift_id": link["gift_id"],
                "gift_seq": link["gift_seq"],
                "amount": take,
            }
            unit["gift_purchases"].insert(row)
            amount -= take


def purchased_lot(unit: Unit, lot_id: str, purchase_id: str, quantity: int) -> None:
    """Share a purchased lot's units pro rata to the money each gift paid."""
    paid = sorted(unit["gift_purchases"].where("purchase_id", purchase_id), key=_seq)
    total = sum(p["amount"] for p in paid)
    shares = [quantity * p["amount"] // total for p in paid] if total else []
    for i in range(quantity - sum(shares)):
        shares[i % len(shares)] += 1
    for link, share in zip(paid, shares, strict=True):
        if share:
            _add_source(unit, lot_id, link["gift_id"], link["gift_seq"], share)


def gifted_lot(unit: Unit, lot_id: str, gift_id: str, gift_seq: int, quantity: int) -> None:
    """An in-kind lot belongs to its gift."""
    _add_source(unit, lot_id, gift_id, gift_seq, quantity)


def take(unit: Unit, lot_id: str, flow_kind: str, flow_id: str, quantity: int) -> list[Row]:
    """Take `quantity` out of a lot's sources, oldest gift first; record and return the parts."""
    sources = unit["lot_sources"]
    unit["flow_sources"].mark_new_group("flow_id", flow_id)
    parts: list[Row] = []
    for source in sorted(sources.where("lot_id", lot_id), key=_seq):
        part = min(quantity, source["remaining"])
        if part:
            sources.add(source, remaining=-part)
            parts.append(
                {"gift_id": source["gift_id"], "gift_seq": source["gift_seq"], "quantity": part}
            )
            quantity -= part
    if quantity:
        parts.append({"gift_id": UNATTRIBUTED, "gift_seq": 0, "quantity": quantity})
    for part in parts:
        flow = {
            "flow_kind": flow_kind,
            "flow_id": flow_id,
            "gift_id": part["gift_id"],
            "gift_seq": part["gift_seq"],
            "quantity": part["quantity"],
        }
        unit["flow_sources"].insert(flow)
    return parts


def received_lot(unit: Unit, lot_id: str, line_flow_id: str, received: int) -> None:
    """A receipt lot inherits the first `received` units of its line's sources."""
    parts = sorted(unit["flow_sources"].where("flow_id", line_flow_id), key=_seq)
    for part in parts:
        share = min(received, part["quantity"])
        if share:
            _add_source(unit, lot_id, part["gift_id"], part["gift_seq"], share)
            received -= share


def corrected(unit: Unit, lot_id: str, quantity: int) -> None:
    """A positive count correction: units that no gift accounts for."""
    _add_source(unit, lot_id, UNATTRIBUTED, 0, quantity)


def new_lot(unit: Unit, lot_id: str) -> None:
    """A lot created in this batch has no sources in SQL yet."""
    unit["lot_sources"].mark_new_group("lot_id", lot_id)


def _add_source(unit: Unit, lot_id: str, gift_id: str, gift_seq: int, quantity: int) -> None:
    sources = unit["lot_sources"]
    existing = next((s for s in sources.where("lot_id", lot_id) if s["gift_id"] == gift_id), None)
    if existing is None:
        row = {
            "lot_id": lot_id,
            "gift_id": gift_id,
            "gift_seq": gift_seq,
            "quantity": quantity,
            "remaining": quantity,
        }
        sources.insert(row)
    else:
        sources.add(existing, quantity=quantity, remaining=quantity)


def _seq(row: Row) -> int:
    return int(row["gift_seq"])
