"""Fund pools: money of one currency and earmark, and how much of it is still available."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from ledger.chain.types import EarmarkKind
from ledger.store.models import Pool


@dataclass(frozen=True)
class FundPool:
    """A pool; `earmark` is 0x hex (None for none), `region` its code for a Region earmark."""

    pool_id: str
    currency: str
    earmark_kind: int
    earmark: str | None
    region: str | None
    received: int
    allocated: int

    @property
    def available(self) -> int:
        """Money not allocated (allocations net of releases)."""
        return self.received - self.allocated


def region_of(earmark: str | None) -> str | None:
    """A Region earmark's code: bytes32(bytes8 region) -> 'CN-HB' (None if not ASCII)."""
    if earmark is None:
        return None
    raw = bytes.fromhex(earmark[2:])
    code = raw[:8].rstrip(b"\x00")
    if any(raw[8:]) or not code or not code.isascii():
        return None
    return code.decode("ascii")


def pools(session: Session, currency: str | None = None) -> list[FundPool]:
    """Pools with money available, of `currency` if given, ordered by pool id."""
    query = select(Pool).where(col(Pool.received) > col(Pool.allocated))
    if currency is not None:
        query = query.where(col(Pool.currency) == currency)
    rows = session.execute(query.order_by(col(Pool.pool_id))).scalars()
    return [
        FundPool(
            pool_id=p.pool_id,
            currency=p.currency,
            earmark_kind=p.earmark_kind,
            earmark=p.earmark,
            region=region_of(p.earmark) if p.earmark_kind == EarmarkKind.REGION else None,
            received=p.received,
            allocated=p.allocated,
        )
        for p in rows
    ]
