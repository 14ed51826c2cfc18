"""Pledges: what donors promised, what gifts against each paid, and the gap.

A pledge is `open` while gifts against it add up to less than its amount, else `paid`. The
donor shows only as the short id of the pledge's donor commitment.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session, SQLModel, col

from ledger.chain.types import EarmarkKind
from ledger.queries._refs import (
    EVENT_COLUMNS,
    earmark_of_region,
    event_ref,
    short_id,
    with_event,
)
from ledger.queries.funds import region_of
from ledger.queries.gifts import GiftPublic, list_gifts
from ledger.queries.models import EventRef, Page, Position, Result
from ledger.queries.pages import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    BadFilterError,
    in_range,
    keyset,
    page,
    seq_bounds,
)
from ledger.queries.position import position_or_read
from ledger.store.models import Pledge

STATUSES = ("open", "paid")


class PledgePublic(SQLModel):
    """A pledge: `amount` promised and `paid` so far (minor units of `currency`), `gap` unpaid;
    `due_date` 0 for none; `region` the region earmark's code, if any."""

    pledge_id: str
    donor: str | None
    currency: str
    amount: int
    paid: int
    gap: int
    status: str
    earmark_kind: int
    earmark: str | None
    region: str | None
    due_date: int
    event: EventRef


class PledgeDetail(SQLModel):
    """A pledge and the gifts that paid it (the first page of them; more with `list_gifts`)."""

    pledge: PledgePublic
    gifts: list[GiftPublic]
    more_gifts: str | None  # cursor for list_gifts(pledge=...) when there are more


def _public(row: Any) -> PledgePublic:
    pledge: Pledge = row[0]
    region = region_of(pledge.earmark) if pledge.earmark_kind == EarmarkKind.REGION else None
    return PledgePublic(
        pledge_id=pledge.pledge_id,
        donor=short_id(pledge.donor_commitment),
        currency=pledge.currency,
        amount=pledge.amount,
        paid=pledge.paid,
        gap=max(pledge.amount - pledge.paid, 0),
        status="paid" if pledge.paid >= pledge.amount else "open",
        earmark_kind=pledge.earmark_kind,
        earmark=pledge.earmark,
        region=region,
        due_date=pledge.due_date,
        event=event_ref(row),
    )


def list_pledges(
    session: Session,
    *,
    status: str | None = None,
    currency: str | None = None,
    region: str | None = None,
    since: int | None = None,
    until: int | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    at: Position | None = None,
) -> Page[PledgePublic]:
    """Pledges newest first; `status` open or paid, `region` a region earmark."""
    position = position_or_read(session, at)
    query = with_event(select(Pledge, *EVENT_COLUMNS), col(Pledge.seq))
    query = query.where(*in_range(col(Pledge.seq), seq_bounds(session, since, until)))
    if status == "open":
        query = query.where(col(Pledge.paid) < col(Pledge.amount))
    elif status == "paid":
        query = query.where(col(Pledge.paid) >= col(Pledge.amount))
    elif status is not None:
        raise BadFilterError(f"no pledge status {status!r}: use open or paid")
    if currency is not None:
        query = query.where(col(Pledge.currency) == currency)
    if region is not None:
        query = query.where(
            col(Pledge.earmark_kind) == int(EarmarkKind.REGION),
            col(Pledge.earmark) == earmark_of_region(region),
        )
    key = (col(Pledge.seq), col(Pledge.pledge_id))
    rows = session.execute(keyset(query, key, cursor, limit)).all()
    return page(rows, limit, lambda r: (r[0].seq, r[0].pledge_id), _public, position)


def pledge(
    session: Session, pledge_id: str, *, gifts: int = MAX_LIMIT, at: Position | None = None
) -> Result[PledgeDetail] | None:
    """One pledge and up to `gifts` of the gifts against it, newest first (2 queries)."""
    position = position_or_read(session, at)
    row = session.execute(
        with_event(select(Pledge, *EVENT_COLUMNS), col(Pledge.seq)).where(
            col(Pledge.pledge_id) == pledge_id
        )
    ).first()
    if row is None:
        return None
    paid_by = list_gifts(session, pledge=pledge_id, limit=gifts, at=position)
    detail = PledgeDetail(pledge=_public(row), gifts=paid_by.items, more_gifts=paid_by.next)
    return Result[PledgeDetail](data=detail, position=position)
