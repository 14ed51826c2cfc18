"""Attribution of money and goods to gifts: the rule of docs/attribution.md, step by step.

Each function names the step of the rule it implements. A gift is (kind, id, seq): kind 'money'
or 'in_kind' (two namespaces on chain), `seq` its event's place in the global sequence. Units no
gift accounts for are the gift `UNATTRIBUTED` (kind 'unattributed', id '0x', seq 0).
"""

from __future__ import annotations

from ledger.indexer.rows import Row, Unit

MONEY = "money"
IN_KIND = "in_kind"
UNATTRIBUTED_KIND = "unattributed"
UNATTRIBUTED = "0x"


def allocate(unit: Unit, pool_id: str, allocation_id: str, amount: int) -> None:
    """Step 1: take `amount` from the pool's gifts with money left, lowest seq first."""
    gifts, links = unit["gifts"], unit["gift_allocations"]
    links.mark_new_group("allocation_id", allocation_id)
    if amount == 0:
        return  # no money moved: no rows
    for gift in gifts.ordered("pool_id", pool_id, "seq", "unallocated"):
        take = min(amount, gift["unallocated"])
        gifts.add(gift, unallocated=-take)
        links.insert(
            {
                "allocation_id": allocation_id,
                "gift_kind": MONEY,
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
    """Step 3: each gift of the allocation gets its unspent part back (`amount` is their sum)."""
    links = sorted(unit["gift_allocations"].where("allocation_id", allocation_id), key=_seq)
    for link in reversed(links):
        back = min(amount, link["unspent"])
        if back:
            unit["gift_allocations"].add(link, unspent=-back)
            gift = unit["gifts"].require(MONEY, link["gift_id"])
            unit["gifts"].add(gift, unallocated=back)
            unit["gifts"].rewind("pool_id", gift["pool_id"])
            amount -= back


def spend(unit: Unit, allocation_id: str, purchase_id: str, amount: int) -> None:
    """Step 2: a purchase's `amount` comes from the allocation's unspent money, lowest seq
    first (an amount of 0 makes no rows)."""
    links = sorted(unit["gift_allocations"].where("allocation_id", allocation_id), key=_seq)
    unit["gift_purchases"].mark_new_group("purchase_id", purchase_id)
    for link in links:
        take = min(amount, link["unspent"])
        if take:
            unit["gift_allocations"].add(link, unspent=-take)
            row = {
                "purchase_id": purchase_id,
                "gift_kind": MONEY,
                "gift_id": link["gift_id"],
                "gift_seq": link["gift_seq"],
                "amount": take,
            }
            unit["gift_purchases"].insert(row)
            amount -= take


def purchased_lot(unit: Unit, lot_id: str, purchase_id: str, quantity: int) -> None:
    """Step 4: share a purchased lot's units pro rata to the money each gift paid (floor), then
    one unit each to the earliest gifts until none is left; a purchase no gift paid for (amount
    0) makes unattributed units."""
    paid = sorted(unit["gift_purchases"].where("purchase_id", purchase_id), key=_seq)
    shares = pro_rata(quantity, [int(p["amount"]) for p in paid])
    if not paid:
        _add_source(unit, lot_id, UNATTRIBUTED_KIND, UNATTRIBUTED, 0, quantity)
    for link, share in zip(paid, shares, strict=True):
        if share:
            _add_source(unit, lot_id, MONEY, link["gift_id"], link["gift_seq"], share)


def pro_rata(quantity: int, amounts: list[int]) -> list[int]:
    """`quantity` shared in proportion to `amounts` (floor), the remainder one unit each to the
    first entries; [] when nothing was paid."""
    total = sum(amounts)
    if total <= 0:
        return []
    shares = [quantity * amount // total for amount in amounts]
    for i in range(quantity - sum(shares)):  # fewer than len(amounts): each floor lost < 1
        shares[i] += 1
    return shares


def gifted_lot(unit: Unit, lot_id: str, gift_id: str, gift_seq: int, quantity: int) -> None:
    """Step 5: an in-kind lot's units all belong to its gift."""
    _add_source(unit, lot_id, IN_KIND, gift_id, gift_seq, quantity)


def take(unit: Unit, lot_id: str, flow_kind: str, flow_id: str, quantity: int) -> list[Row]:
    """Step 6: take `quantity` out of a lot's sources, lowest gift seq first (unattributed units,
    seq 0, first of all); record the parts as the flow's sources and return them."""
    sources = unit["lot_sources"]
    unit["flow_sources"].mark_new_group("flow_id", flow_id)
    parts: list[Row] = []
    for source in sorted(sources.where("lot_id", lot_id), key=_seq):
        part = min(quantity, source["remaining"])
        if part:
            sources.add(source, remaining=-part)
            parts.append(
                {
                    "gift_kind": source["gift_kind"],
                    "gift_id": source["gift_id"],
                    "gift_seq": source["gift_seq"],
                    "quantity": part,
                }
            )
            quantity -= part
    if quantity:  # cannot happen while sources cover the lot; kept so a flow never loses units
        parts.append(
            {
                "gift_kind": UNATTRIBUTED_KIND,
                "gift_id": UNATTRIBUTED,
                "gift_seq": 0,
                "quantity": quantity,
            }
        )
    for part in parts:
        flow = {
            "flow_kind": flow_kind,
            "flow_id": flow_id,
            "gift_kind": part["gift_kind"],
            "gift_id": part["gift_id"],
            "gift_seq": part["gift_seq"],
            "quantity": part["quantity"],
        }
        unit["flow_sources"].insert(flow)
    return parts


def received_lot(unit: Unit, lot_id: str, line_flow_id: str, received: int) -> None:
    """Step 7: a receipt lot inherits the first `received` units of its line's parts, lowest
    gift seq first; the rest (the declared shortfall) are the line's latest gifts' units."""
    parts = sorted(unit["flow_sources"].where("flow_id", line_flow_id), key=_seq)
    for part in parts:
        share = min(received, part["quantity"])
        if share:
            _add_source(unit, lot_id, part["gift_kind"], part["gift_id"], part["gift_seq"], share)
            received -= share


def corrected(unit: Unit, lot_id: str, quantity: int) -> None:
    """Step 8: a positive count correction adds units that no gift accounts for."""
    _add_source(unit, lot_id, UNATTRIBUTED_KIND, UNATTRIBUTED, 0, quantity)


def new_lot(unit: Unit, lot_id: str) -> None:
    """A lot created in this batch has no sources in SQL yet."""
    unit["lot_sources"].mark_new_group("lot_id", lot_id)


def _add_source(
    unit: Unit, lot_id: str, gift_kind: str, gift_id: str, gift_seq: int, quantity: int
) -> None:
    sources = unit["lot_sources"]
    existing = next(
        (
            s
            for s in sources.where("lot_id", lot_id)
            if s["gift_id"] == gift_id and s["gift_kind"] == gift_kind
        ),
        None,
    )
    if existing is None:
        row = {
            "lot_id": lot_id,
            "gift_kind": gift_kind,
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
