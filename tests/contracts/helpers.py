"""Short-hands for contract tests: each records one thing with defaults and returns its id."""

from __future__ import annotations

from typing import Any

from web3.types import TxReceipt

from ledger.chain.events import DecodedEvent, decode_log
from ledger.chain.ids import ZERO32, derive_id, label
from ledger.chain.types import (
    DispatchLine,
    EarmarkKind,
    GiftInput,
    InKindInput,
    PurchaseInput,
)
from tests.contracts.world import CNY, World

_counter = iter(range(10**9))


def reset_ids() -> None:
    """Restart `fresh` ids, for runs whose calldata (and so gas) must be reproducible."""
    global _counter  # noqa: PLW0603
    _counter = iter(range(10**9))


def fresh(namespace: str) -> bytes:
    """A new unique id."""
    return derive_id(namespace, next(_counter))


def gift_input(
    amount: int = 10_000,
    currency: bytes = CNY,
    kind: EarmarkKind = EarmarkKind.NONE,
    earmark: bytes = ZERO32,
    pledge_id: bytes = ZERO32,
    gift_id: bytes | None = None,
    commitment: bytes | None = None,
    public_name: str = "",
) -> GiftInput:
    """A valid money gift unless told otherwise."""
    return GiftInput(
        gift_id or fresh("gift"),
        currency,
        amount,
        kind,
        earmark,
        label("bank line"),
        commitment if commitment is not None else label("donor"),
        pledge_id,
        public_name,
    )


def give(world: World, amount: int = 10_000, **kw: Any) -> GiftInput:
    """Record a money gift as the intake clerk."""
    gift = gift_input(amount, **kw)
    world.ledger.record_gift(world.intake, gift)
    return gift


def in_kind_input(
    world: World, quantity: int = 1_000, site: str = "wh_a", item: str = "mask"
) -> InKindInput:
    """A valid in-kind gift into a warehouse."""
    return InKindInput(
        fresh("gift"),
        fresh("lot"),
        world.items[item],
        world.sites[site],
        quantity,
        label("batch-1"),
        2_000_000_000,
        label("donor"),
        label("waybill"),
        "",
    )


def stock(world: World, quantity: int = 1_000, site: str = "wh_a", item: str = "mask") -> bytes:
    """Put a lot of `quantity` into `site`; return its lot id."""
    gift = in_kind_input(world, quantity, site, item)
    world.ledger.record_in_kind_gift(world.intake, gift)
    return gift.lot_id


def allocate(
    world: World,
    amount: int,
    kind: EarmarkKind = EarmarkKind.NONE,
    earmark: bytes = ZERO32,
    need_id: bytes = ZERO32,
    purpose: bytes = ZERO32,
    currency: bytes = CNY,
) -> bytes:
    """Allocate money as the coordinator; return the allocation id."""
    allocation_id = fresh("allocation")
    world.ledger.allocate_funds(
        world.coordinator, allocation_id, currency, kind, earmark, amount, need_id, purpose
    )
    return allocation_id


def purchase_input(
    world: World, allocation_id: bytes, amount: int = 1_000, quantity: int = 500, item: str = "mask"
) -> PurchaseInput:
    """A valid purchase into warehouse A."""
    return PurchaseInput(
        fresh("purchase"),
        allocation_id,
        world.orgs["supplier"],
        amount,
        label("invoice"),
        fresh("lot"),
        world.items[item],
        world.sites["wh_a"],
        quantity,
        label("batch-p"),
        0,
    )


def need(world: World, quantity: int = 100, site: str = "hospital", item: str = "mask") -> bytes:
    """Post a need as the site operator; return its id."""
    need_id = fresh("need")
    world.ledger.post_need(
        world.hospital, need_id, world.sites[site], world.items[item], quantity, 1, 0
    )
    return need_id


def ship(
    world: World, lot_id: bytes, quantity: int, sender: str = "wh_a", to: str = "hospital"
) -> bytes:
    """Dispatch one line from `sender`'s site; return the shipment id."""
    shipment_id = fresh("shipment")
    world.ledger.dispatch_shipment(
        world.staff[sender],
        shipment_id,
        world.sites[sender],
        world.sites[to],
        [DispatchLine(lot_id, quantity)],
    )
    return shipment_id


def events(world: World, receipt: TxReceipt) -> list[DecodedEvent]:
    """The sequenced events a transaction emitted, decoded."""
    decoded = [decode_log(dict(log)) for log in receipt["logs"]]
    return [e for e in decoded if e is not None]


def head(world: World) -> tuple[int, bytes]:
    """The ledger head: unchanged after any refused write."""
    return world.ledger.ledger_head()
