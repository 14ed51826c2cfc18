"""Many events quickly: money gifts recorded in batches, one transaction (and block) per batch."""

from __future__ import annotations

from tests.contracts.helpers import gift_input
from tests.contracts.world import World


def gift_batches(world: World, count: int, per_tx: int = 50) -> None:
    """Record `count` gifts, `per_tx` per transaction; each gift emits one event."""
    while count > 0:
        size = min(per_tx, count)
        world.ledger.record_gifts(world.intake, [gift_input(100 + n) for n in range(size)])
        count -= size


def mine_empty(world: World, blocks: int) -> None:
    """Mine `blocks` blocks without our events."""
    provider = world.ledger.client.w3.provider
    for _ in range(blocks):
        provider.make_request("evm_mine", [])  # type: ignore[arg-type]
