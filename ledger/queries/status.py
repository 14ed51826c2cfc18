"""Where the mirror stands: its checkpoint and the last `aidledger verify` result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from ledger.queries.position import CHECKPOINT
from ledger.store.models import Block, Verification


@dataclass(frozen=True)
class VerifyResult:
    """The last verification: the block it checked, its differences, when it finished."""

    checked_block: int
    differences: int
    finished_at: int


@dataclass(frozen=True)
class MirrorStatus:
    """The mirror's checkpoint (None before the first index) and the last verification."""

    chain_id: int | None
    last_block: int | None
    seq: int | None
    head: str | None
    last_verify: VerifyResult | None


NEWEST = (
    select(
        col(Verification.checked_block),
        col(Verification.differences),
        col(Verification.finished_at),
    )
    .order_by(col(Verification.id).desc())
    .limit(1)
)


def mirror_status(session: Session) -> MirrorStatus:
    """Read the checkpoint and the newest verification (two plain statements on the session's
    connection: every portal request reads them, so no ORM objects are built)."""
    conn = session.connection()
    state = conn.execute(CHECKPOINT).first()
    newest = conn.execute(NEWEST).first()
    verify = None if newest is None else VerifyResult(*newest)
    if state is None:
        return MirrorStatus(None, None, None, None, verify)
    return MirrorStatus(*state, verify)


def newest_block_day(session: Session) -> date | None:
    """The UTC date of the newest block the mirror holds (None when it holds none): a dev chain
    can run ahead of the wall clock, so forms default to periods that reach it."""
    newest = session.connection().execute(select(func.max(col(Block.timestamp)))).scalar()
    return None if newest is None else datetime.fromtimestamp(int(newest), UTC).date()
