"""When the Charity Law's periodic disclosures fall due, and which were published.

Decisions (docs/reports.md): the deployment's relief operation is one public fundraising
campaign, starting with its first recorded gift or lot. Once it has run longer than six months
it must disclose at least every three months: due dates fall every three months from its start.
A disclosure counts as published when an auditor attested a report (`aidledger attest`) in the
three months up to its due date; a past due date without one is overdue.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import text
from sqlmodel import Session

QUARTER_MONTHS = 3
LONG_CAMPAIGN_MONTHS = 6


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_dates(start: date | None, until: date) -> list[date]:
    """The periodic disclosures' due dates up to `until`, then the next one; none while the
    campaign has run six months or less (or has not started)."""
    if start is None or add_months(start, LONG_CAMPAIGN_MONTHS) > until:
        return []
    out, n = [], 1
    while (due := add_months(start, QUARTER_MONTHS * n)) <= until:
        out.append(due)
        n += 1
    return [*out, due]


class DueStatus(StrEnum):
    """Where a due disclosure stands."""

    PUBLISHED = "published"  # an attestation in the three months up to the due date
    OVERDUE = "overdue"  # the due date passed without one
    NEXT = "next"  # the next one to come


@dataclass(frozen=True)
class DueDisclosure:
    """One periodic disclosure: its due date and where it stands."""

    due: date
    status: DueStatus


@dataclass(frozen=True)
class DisclosureSchedule:
    """The campaign's start (None before its first gift or lot) and its periodic disclosures."""

    campaign_start: date | None
    disclosures: list[DueDisclosure]


def _day(ts: int | None) -> date | None:
    return None if ts is None else datetime.fromtimestamp(int(ts), UTC).date()


def disclosure_schedule(session: Session, today: date) -> DisclosureSchedule:
    """The schedule as the mirror stands on `today`."""
    first = session.execute(
        text(
            "SELECT MIN(b.timestamp) FROM raw_events r JOIN blocks b ON b.number = r.block_number"
            " WHERE r.name IN ('GiftRecorded', 'LotCreated')"
        )
    ).scalar()
    attested = [
        d
        for (ts,) in session.execute(
            text(
                "SELECT b.timestamp FROM attestations a JOIN raw_events r ON r.seq = a.seq"
                " JOIN blocks b ON b.number = r.block_number"
            )
        )
        if (d := _day(ts)) is not None
    ]
    start = _day(first)
    out = []
    for due in due_dates(start, today):
        window = add_months(due, -QUARTER_MONTHS)
        if any(window < d <= due for d in attested):
            status = DueStatus.PUBLISHED
        elif due < today:
            status = DueStatus.OVERDUE
        else:
            status = DueStatus.NEXT
        out.append(DueDisclosure(due, status))
    return DisclosureSchedule(start, out)
