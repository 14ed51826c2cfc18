"""/gifts and /gifts/{id}: every gift (donors by short id unless named) and what one became."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, HTTPException, Request
from sqlmodel import Session
from starlette.responses import Response

from ledger.queries.gifts import IN_KIND, MONEY, GiftDetail, GiftPublic, gift, list_gifts
from ledger.queries.models import Page, Position, Result
from ledger.queries.pages import DEFAULT_LIMIT
from portal.deps import ChromeDep, SessionDep, StateDep
from portal.listing import blank, csv_link, csv_response, day_end, day_start, next_link

router = APIRouter()


@dataclass(frozen=True)
class GiftsPage:
    """A page of gifts, the filters it was read with, and its links."""

    gifts: Page[GiftPublic]
    kind: str | None
    currency: str | None
    region: str | None
    since: str | None
    until: str | None
    next_url: str | None
    csv_url: str


@router.get("/gifts", include_in_schema=False)
def gifts(
    request: Request,
    chrome: ChromeDep,
    state: StateDep,
    session: SessionDep,
    kind: str | None = None,
    currency: str | None = None,
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
    kind, currency, region = blank(kind), blank(currency), blank(region)
    site, item = blank(site), blank(item)
    low, high = day_start(since, zone), day_end(until, zone)

    def read(s: Session, c: str | None, n: int, at: Position) -> Page[GiftPublic]:
        return list_gifts(
            s, kind=kind, currency=currency, region=region, site=site, item=item,
            since=low, until=high, cursor=c, limit=n, at=at,
        )  # fmt: skip

    if format == "csv":
        return csv_response(state, read, "gifts.csv")
    found = read(session, cursor, limit, chrome.position)
    page = GiftsPage(
        found, kind, currency, region, blank(since), blank(until),
        next_link(request, found.next), csv_link(request),
    )  # fmt: skip
    return state.renderer.response(request, chrome, "gifts.html", page)


@router.get("/gifts/{gift_id}", include_in_schema=False)
def one_gift(
    gift_id: str, request: Request, chrome: ChromeDep, state: StateDep, session: SessionDep
) -> Response:
    """One gift: its allocations, purchases, lots and flows."""
    found = find_gift(session, gift_id, chrome.position)
    if found is None:
        raise HTTPException(404)
    return state.renderer.response(request, chrome, "gift.html", found)


def find_gift(session: Session, gift_id: str, at: Position) -> Result[GiftDetail] | None:
    """The money or in-kind gift with this id (ids of the two kinds never collide in practice;
    money is looked up first)."""
    return gift(session, MONEY, gift_id, at=at) or gift(session, IN_KIND, gift_id, at=at)
