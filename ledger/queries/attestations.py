"""Attestations: an auditor recorded on chain the hash of a report's manifest and the ledger
range it covers (`aidledger attest`). Anyone holding the report checks it with
`aidledger report verify`; these queries list what the mirror holds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlmodel import Session, SQLModel, col

from ledger.queries.models import EventRef, Page, Position, Result
from ledger.queries.pages import DEFAULT_LIMIT, MAX_LIMIT, BadFilterError, keyset, page
from ledger.queries.position import position_or_read
from ledger.store.models import Attestation, Block, RawEvent

HEX = frozenset("0123456789abcdef")


class AttestationPublic(SQLModel):
    """One attestation: `report_hash` the sha256 of the report's manifest file; the report
    covers blocks `from_block`..`to_block` and the ledger up to event `covered_seq`, whose head
    is `covered_head`; `actor` the auditor's address. `event` is the `AttestationPosted` event
    (None only while the mirror lacks its raw event)."""

    attestation_id: str
    report_hash: str | None
    from_block: int
    to_block: int
    covered_seq: int
    covered_head: str
    actor: str
    seq: int
    event: EventRef | None


def check_hash(value: str) -> str:
    """A report hash as stored (0x and 64 lowercase hex digits), or BadFilterError."""
    text = value.strip().lower()
    if len(text) != 66 or not text.startswith("0x") or not set(text[2:]) <= HEX:
        raise BadFilterError(
            f"{value[:80]!r} is not a report hash: 0x and 64 hex digits "
            "(the sha256 of the report's manifest file)"
        )
    return text


def _query() -> Select[*tuple[Any, ...]]:
    """Attestations with their event (outer joins: a row shows even without its raw event)."""
    return (
        select(
            Attestation,
            col(RawEvent.name),
            col(RawEvent.block_number),
            col(RawEvent.tx_hash),
            col(RawEvent.log_index),
            col(Block.timestamp),
        )
        .outerjoin(RawEvent, col(RawEvent.seq) == col(Attestation.seq))
        .outerjoin(Block, col(Block.number) == col(RawEvent.block_number))
    )


def _public(row: Any) -> AttestationPublic:
    a: Attestation = row[0]
    name, block, tx_hash, log_index, time = tuple(row)[1:]
    event = None
    if tx_hash is not None:
        event = EventRef(
            seq=a.seq, name=name, block=block, tx_hash=tx_hash, log_index=log_index,
            time=time or 0,
        )  # fmt: skip
    return AttestationPublic(
        attestation_id=a.attestation_id,
        report_hash=a.report_hash,
        from_block=a.from_block,
        to_block=a.to_block,
        covered_seq=a.covered_seq,
        covered_head=a.covered_head,
        actor=a.actor,
        seq=a.seq,
        event=event,
    )


def list_attestations(
    session: Session,
    *,
    report_hash: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    at: Position | None = None,
) -> Page[AttestationPublic]:
    """Attestations newest first; `report_hash` keeps those of one manifest hash."""
    position = position_or_read(session, at)
    query = _query()
    if report_hash is not None:
        query = query.where(col(Attestation.report_hash) == check_hash(report_hash))
    key = (col(Attestation.seq), col(Attestation.attestation_id))
    rows = session.execute(keyset(query, key, cursor, limit)).all()
    return page(rows, limit, lambda r: (r[0].seq, r[0].attestation_id), _public, position)


def attestations_of_report(
    session: Session, report_hash: str, *, at: Position | None = None
) -> Result[list[AttestationPublic]] | None:
    """The attestations of one manifest hash (up to MAX_LIMIT), newest first; None if none."""
    position = position_or_read(session, at)
    query = _query().where(col(Attestation.report_hash) == check_hash(report_hash))
    rows = session.execute(
        query.order_by(col(Attestation.seq).desc(), col(Attestation.attestation_id)).limit(
            MAX_LIMIT
        )
    ).all()
    if not rows:
        return None
    return Result[list[AttestationPublic]](data=[_public(r) for r in rows], position=position)
