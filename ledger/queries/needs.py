"""Open needs: what each recipient site still lacks, and the money already set aside for it.

`outstanding` is the quantity not yet handed over (`quantity - fulfilled`); what is already on
its way to the site is counted separately (`ledger.queries.stock.en_route`), and `unspent` is the
money allocated to the need that no purchase has spent and no release returned yet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from ledger.queries.names import label
from ledger.store.models import Allocation, Item, Need, Pool, Site


@dataclass(frozen=True)
class OpenNeed:
    """An open need with units still to hand over; ids are 0x hex, `deadline` 0 for none."""

    need_id: str
    label: str
    seq: int
    site_id: str
    site: str
    region: str
    item_id: str
    item: str
    category: str | None
    quantity: int
    fulfilled: int
    priority: int
    deadline: int
    unspent: tuple[tuple[str, int], ...] = ()  # (currency, minor units) allocated, not yet used

    @property
    def outstanding(self) -> int:
        """Units not handed over yet."""
        return self.quantity - self.fulfilled


def open_needs(session: Session) -> list[OpenNeed]:
    """Every open need with units outstanding, in `seq` order."""
    rows = session.execute(
        select(Need, Site, Item)
        .join(Site, col(Site.site_id) == col(Need.site_id))
        .join(Item, col(Item.item_id) == col(Need.item_id))
        .where(col(Need.open), col(Need.quantity) > col(Need.fulfilled))
        .order_by(col(Need.seq))
    ).all()
    unspent = _unspent_by_need(session)
    return [
        OpenNeed(
            need_id=need.need_id,
            label=label("need", need.seq),
            seq=need.seq,
            site_id=site.site_id,
            site=site.name,
            region=site.region,
            item_id=item.item_id,
            item=item.name,
            category=item.category,
            quantity=need.quantity,
            fulfilled=need.fulfilled,
            priority=need.priority,
            deadline=need.deadline,
            unspent=tuple(sorted(unspent.get(need.need_id, {}).items())),
        )
        for need, site, item in rows
    ]


def _unspent_by_need(session: Session) -> dict[str, dict[str, int]]:
    """need id -> currency -> money allocated to it and neither spent nor released."""
    left = col(Allocation.amount) - col(Allocation.spent) - col(Allocation.released)
    rows = session.execute(
        select(col(Allocation.need_id), col(Pool.currency), left)
        .join(Pool, col(Pool.pool_id) == col(Allocation.pool_id))
        .where(col(Allocation.need_id).is_not(None), left > 0)
    ).all()
    found: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for need_id, currency, amount in rows:
        found[need_id][currency] += int(amount)
    return {need: dict(by_currency) for need, by_currency in found.items()}
