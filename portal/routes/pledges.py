"""/pledges: promised against paid, and the gap, per pledge."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from ledger.queries.models import Page, Position
from ledger.queries.pages import DEFAULT_LIMIT
from ledger.queries.pledges import STATUSES, PledgePublic, list_pledges
from portal.deps import ChromeDep, SessionDep, StateDep
from portal.listing import blank, csv_link, csv_response, day_end, day_start, next_link

router = APIRouter()


@dataclass(frozen=True)
class PledgesPage:
    """A page of pledges, the filters it was read with, and its links."""

    pledges: Page[PledgePublic]
    status: str | None
    currency: str | None
    next_url: str | None
    csv_url: str
    statuses: tuple[str, ...] = STATUSES


@router.get("/pledges", include_in_schema=False)
def pledges(
    request: Request,
    chrome: ChromeDep,
    state: StateDep,
    session: SessionDep,
    status: str | None = None,
    currency: str | None = None,
    region: str | None = None,
    since: str | None = None,
    until: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str | None = None,
) -> Response:
    """The list (or its CSV)."""
    zone = state.settings.timezone
    status, currency, region = blank(status), blank(currency), blank(region)
    low, high = day_start(since, zone), day_end(until, zone)

    def read(s: Session, c: str | None, n: int, at: Position) -> Page[PledgePublic]:
        return list_pledges(
            s, status=status, currency=currency, region=region, since=low, until=high,
            cursor=c, limit=n, at=at,
        )  # fmt: skip

    if format == "csv":
        return csv_response(state, read, "pledges.csv")
    found = read(session, cursor, limit, chrome.position)
    page = PledgesPage(found, status, currency, next_link(request, found.next), csv_link(request))
    return state.renderer.response(request, chrome, "pledges.html", page)
