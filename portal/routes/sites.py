"""/sites and /sites/{id}: every site with what it holds, and one site's stock by lot."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from fastapi import APIRouter, HTTPException, Request
from sqlmodel import Session
from starlette.responses import Response

from ledger.queries.models import Page, Position, Result
from ledger.queries.pages import DEFAULT_LIMIT
from ledger.queries.sites import (
    SiteDetail,
    SitePublic,
    StockLotPublic,
    list_sites,
    list_stock,
    site,
)
from portal.deps import ChromeDep, SessionDep, StateDep
from portal.listing import blank, csv_link, csv_response, next_link
from portal.responses import keep_until

router = APIRouter()


@dataclass(frozen=True)
class SitesPage:
    """A page of sites, the filters it was read with, and its links."""

    sites: Page[SitePublic]
    region: str | None
    kind: str | None
    next_url: str | None
    csv_url: str


@dataclass(frozen=True)
class SitePage:
    """One site: its totals per item and open needs, and a page of its lots."""

    detail: Result[SiteDetail]
    lots: Page[StockLotPublic]
    next_url: str | None
    csv_url: str


@router.get("/sites", include_in_schema=False)
def sites(
    request: Request,
    chrome: ChromeDep,
    state: StateDep,
    session: SessionDep,
    region: str | None = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str | None = None,
) -> Response:
    """The list (or its CSV)."""
    region, kind = blank(region), blank(kind)
    if format == "csv":
        return csv_response(
            state,
            lambda s, c, n, at: list_sites(s, region=region, kind=kind, cursor=c, limit=n, at=at),
            "sites.csv",
        )
    found = list_sites(
        session,
        region=region,
        kind=kind,
        cursor=cursor,
        limit=limit,
        at=chrome.position,
    )
    page = SitesPage(found, region, kind, next_link(request, found.next), csv_link(request))
    return state.renderer.response(request, chrome, "sites.html", page)


@router.get("/sites/{site_id}", include_in_schema=False)
def one_site(
    site_id: str,
    request: Request,
    chrome: ChromeDep,
    state: StateDep,
    session: SessionDep,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str | None = None,
) -> Response:
    """One site (or the CSV of its lots)."""
    now = int(time.time())
    if format == "csv":
        return csv_response(
            state,
            lambda s, c, n, at: list_stock(s, now, site=site_id, cursor=c, limit=n, at=at),
            "stock.csv",
        )
    at, minute = chrome.position, now // 60 * 60
    # a warehouse's sums and newest lots read thousands of lots: kept per mirror head, judged
    # at the start of a minute (like the overview) and kept until one of its lots next expires
    found = state.cache.get(
        at,
        ("site", site_id, cursor, limit),
        lambda: _site_and_lots(session, site_id, minute, cursor, limit, at),
        fresh=lambda kept: kept is None or minute < kept.until,
    )
    if found is None:
        raise HTTPException(404)
    lots = found.lots
    page = SitePage(found.detail, lots, next_link(request, lots.next), csv_link(request))
    response = state.renderer.response(request, chrome, "site.html", page)
    keep_until(response, found.until)
    return response


@dataclass(frozen=True)
class SiteAt:
    """A site's detail and a page of its lots judged at one time, the same until `until`
    (when the next of its lots in stock expires)."""

    detail: Result[SiteDetail]
    lots: Page[StockLotPublic]
    until: float


def _site_and_lots(
    session: Session, site_id: str, now: int, cursor: str | None, limit: int, at: Position
) -> SiteAt | None:
    """The site's detail and a page of its lots at `now`; None for an unknown site."""
    detail = site(session, site_id, now, at=at)
    if detail is None:
        return None
    lots = list_stock(session, now, site=site_id, cursor=cursor, limit=limit, at=at)
    expiries = [s.next_expiry for s in detail.data.stock if s.next_expiry is not None]
    return SiteAt(detail, lots, min(expiries, default=math.inf))
