"""Where the mirror stands: its checkpoint and the last `aidledger verify` result."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from ledger.store.models import IndexerState, Verification


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


def mirror_status(session: Session) -> MirrorStatus:
    """Read the checkpoint and the newest verification."""
    state = session.get(IndexerState, 1)
    newest = session.execute(
        select(Verification).order_by(Verification.id.desc()).limit(1)  # type: ignore[union-attr]
    ).scalar()
    verify = (
        None
        if newest is None
        else VerifyResult(newest.checked_block, newest.differences, newest.finished_at)
    )
    if state is None:
        return MirrorStatus(None, None, None, None, verify)
    return MirrorStatus(state.chain_id, state.last_block, state.seq, state.head, verify)
