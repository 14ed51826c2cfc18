"""/needs: needs of recipient sites, open and met, by region, site, item and date posted."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from ledger.queries.models import Page, Position
from ledger.queries.pages import DEFAULT_LIMIT
from ledger.queries.sites import NEED_STATUSES, NeedPublic, list_needs
from portal.deps import ChromeDep, SessionDep, StateDep
from portal.listing import blank, csv_link, csv_response, day_end, day_start, next_link

router = APIRouter()


@dataclass(frozen=True)
class NeedsPage:
    """A page of needs, the filters it was read with, and its links."""

    needs: Page[NeedPublic]
    status: str | None
    region: str | None
    since: str | None
    until: str | None
    next_url: str | None
    csv_url: str
    statuses: tuple[str, ...] = NEED_STATUSES


@router.get("/needs", include_in_schema=False)
def needs(
    request: Request,
    chrome: ChromeDep,
    state: StateDep,
    session: SessionDep,
    status: str | None = None,
    region: str | None = None,
    site: str | None = None,
    item: str | None = None,
    since: str | None = None,
    until: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str | None = None,
) -> Response:
    """The list (or its CSV)."""
    zone = state.settings.timezone
    status, region = blank(status), blank(region)
    site, item = blank(site), blank(item)
    low, high = day_start(since, zone), day_end(until, zone)

    def read(s: Session, c: str | None, n: int, at: Position) -> Page[NeedPublic]:
        return list_needs(
            s,
            status=status,
            region=region,
            site=site,
            item=item,
            since=low,
            until=high,
            cursor=c,
            limit=n,
            at=at,
        )

    if format == "csv":
        return csv_response(state, read, "needs.csv")
    found = read(session, cursor, limit, chrome.position)
    page = NeedsPage(
        found,
        status,
        region,
        blank(since),
        blank(until),
        next_link(request, found.next),
        csv_link(request),
    )
    return state.renderer.response(request, chrome, "needs.html", page)
