"""/api/v1: the same read-layer models as JSON, keyset-paginated, with ETags on the mirror.

Every answer carries the mirror position it was read at. Lists take `cursor` and `limit` and
return `next` (the cursor of the following page, null on the last). A request repeating the
ETag of an unchanged answer (If-None-Match) gets 304 before any query runs. /api/v1/trace takes
the receipt code in a POST body, rate-limited per client address like the page.
"""

from __future__ import annotations

import hashlib
import time
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ledger.queries.attestations import (
    AttestationPublic,
    attestations_of_report,
    list_attestations,
)
from ledger.queries.flows import Flows, edge_events
from ledger.queries.gifts import GiftDetail, GiftPublic, list_gifts
from ledger.queries.models import EventRef, Page, Position, Result
from ledger.queries.pages import DEFAULT_LIMIT
from ledger.queries.pledges import PledgeDetail, PledgePublic, list_pledges, pledge
from ledger.queries.position import read_position
from ledger.queries.shipments import ShipmentDetail, ShipmentPublic, list_shipments, shipment
from ledger.queries.sites import (
    NeedPublic,
    SiteDetail,
    SitePublic,
    StockLotPublic,
    list_needs,
    list_sites,
    list_stock,
    site,
)
from ledger.queries.totals import Overview
from ledger.queries.trace import Trace
from ledger.queries.tx import TxPublic, transaction
from portal.deps import NotModifiedError, SessionDep, StateDep, already_read
from portal.listing import blank, day_end, day_start
from portal.responses import keep_until
from portal.routes.flows import cached_flows
from portal.routes.gifts import find_gift
from portal.routes.overview import cached_overview, minute
from portal.routes.trace import check, look_up
from portal.routes.tx import is_tx_hash
from portal.templating import add_validators, not_modified

router = APIRouter(prefix="/api/v1", tags=["public"])


async def position(request: Request, session: SessionDep, response: Response) -> Position:
    """The mirror position for this request (as portal/responses.py read it, else read now);
    304 when the client's copy is current."""
    read = already_read(request)
    at = read.position if read is not None else await run_in_threadpool(read_position, session)
    url = hashlib.sha256(str(request.url).encode()).hexdigest()[:16]
    etag = f'W/"{at.seq}-{(at.head or "empty")[:18]}-{url}"'
    if request.method == "GET" and not_modified(request, etag):
        raise NotModifiedError(etag)
    add_validators(response, etag)
    return at


At = Annotated[Position, Depends(position)]
Cursor = Annotated[str | None, "an opaque cursor from a previous page's `next`"]


def found(result: Any) -> Any:
    """`result`, or 404 when the mirror does not hold it."""
    if result is None:
        raise HTTPException(404, "not in the mirror (yet)")
    return result


@router.get("/overview", response_model=Result[Overview])
def api_overview(
    session: SessionDep, state: StateDep, at: At, response: Response
) -> Result[Overview]:
    """Totals per currency and item, needs met, pledge gap, latest events, alerts."""
    keep_until(response, minute() + 60)  # the alerts are judged per minute
    return cached_overview(state, session, at)


@router.get("/flows", response_model=Result[Flows])
def api_flows(
    session: SessionDep,
    state: StateDep,
    at: At,
    currency: str | None = None,
    item: str | None = None,
) -> Result[Flows]:
    """The Sankey's nodes and edges (money of one currency, goods of one item if given)."""
    return cached_flows(state, session, at, blank(currency), blank(item))


@router.get("/flows/{edge_id}/events", response_model=Page[EventRef])
def api_edge_events(
    edge_id: str, session: SessionDep, at: At, cursor: Cursor = None, limit: int = DEFAULT_LIMIT
) -> Page[EventRef]:
    """The ledger events behind one edge of the flows, newest first."""
    return edge_events(session, edge_id, cursor=cursor, limit=limit, at=at)


@router.get("/gifts", response_model=Page[GiftPublic])
def api_gifts(
    session: SessionDep,
    state: StateDep,
    at: At,
    kind: str | None = None,
    currency: str | None = None,
    region: str | None = None,
    site: str | None = None,
    item: str | None = None,
    pledge: str | None = None,
    since: str | None = None,
    until: str | None = None,
    cursor: Cursor = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[GiftPublic]:
    """Gifts, newest first; `since`/`until` are dates (YYYY-MM-DD, `until` inclusive)."""
    zone = state.settings.timezone
    return list_gifts(
        session, kind=blank(kind), currency=blank(currency), region=blank(region),
        site=blank(site), item=blank(item), pledge=blank(pledge),
        since=day_start(since, zone), until=day_end(until, zone),
        cursor=cursor, limit=limit, at=at,
    )  # fmt: skip


@router.get("/gifts/{gift_id}", response_model=Result[GiftDetail])
def api_gift(gift_id: str, session: SessionDep, at: At) -> Result[GiftDetail]:
    """One gift and its allocations, purchases, lots and flows."""
    return found(find_gift(session, gift_id, at))  # type: ignore[no-any-return]


@router.get("/sites", response_model=Page[SitePublic])
def api_sites(
    session: SessionDep,
    at: At,
    region: str | None = None,
    kind: str | None = None,
    cursor: Cursor = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[SitePublic]:
    """Sites by name, with the lots and units they hold."""
    return list_sites(
        session, region=blank(region), kind=blank(kind), cursor=cursor, limit=limit, at=at
    )


@router.get("/sites/{site_id}", response_model=Result[SiteDetail])
def api_site(site_id: str, session: SessionDep, at: At) -> Result[SiteDetail]:
    """One site: stock per item and open needs."""
    return found(site(session, site_id, int(time.time()), at=at))  # type: ignore[no-any-return]


@router.get("/stock", response_model=Page[StockLotPublic])
def api_stock(
    session: SessionDep,
    at: At,
    site: str | None = None,
    region: str | None = None,
    item: str | None = None,
    cursor: Cursor = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[StockLotPublic]:
    """Lots with units on hand, newest first, with expiry."""
    return list_stock(
        session, int(time.time()), site=blank(site), region=blank(region), item=blank(item),
        cursor=cursor, limit=limit, at=at,
    )  # fmt: skip


@router.get("/needs", response_model=Page[NeedPublic])
def api_needs(
    session: SessionDep,
    state: StateDep,
    at: At,
    status: str | None = None,
    region: str | None = None,
    site: str | None = None,
    item: str | None = None,
    since: str | None = None,
    until: str | None = None,
    cursor: Cursor = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[NeedPublic]:
    """Needs, newest first; status open, met or closed."""
    zone = state.settings.timezone
    return list_needs(
        session, status=blank(status), region=blank(region), site=blank(site),
        item=blank(item), since=day_start(since, zone), until=day_end(until, zone),
        cursor=cursor, limit=limit, at=at,
    )  # fmt: skip


@router.get("/shipments", response_model=Page[ShipmentPublic])
def api_shipments(
    session: SessionDep,
    state: StateDep,
    at: At,
    status: str | None = None,
    site: str | None = None,
    region: str | None = None,
    item: str | None = None,
    since: str | None = None,
    until: str | None = None,
    cursor: Cursor = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[ShipmentPublic]:
    """Shipments, newest first; status in_transit or completed."""
    zone = state.settings.timezone
    return list_shipments(
        session, status=blank(status), site=blank(site), region=blank(region),
        item=blank(item), since=day_start(since, zone), until=day_end(until, zone),
        cursor=cursor, limit=limit, at=at,
    )  # fmt: skip


@router.get("/shipments/{shipment_id}", response_model=Result[ShipmentDetail])
def api_shipment(shipment_id: str, session: SessionDep, at: At) -> Result[ShipmentDetail]:
    """One shipment and its lines, dispatched against received."""
    return found(shipment(session, shipment_id, at=at))  # type: ignore[no-any-return]


@router.get("/pledges", response_model=Page[PledgePublic])
def api_pledges(
    session: SessionDep,
    state: StateDep,
    at: At,
    status: str | None = None,
    currency: str | None = None,
    region: str | None = None,
    since: str | None = None,
    until: str | None = None,
    cursor: Cursor = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[PledgePublic]:
    """Pledges, newest first: promised, paid and the gap."""
    zone = state.settings.timezone
    return list_pledges(
        session, status=blank(status), currency=blank(currency), region=blank(region),
        since=day_start(since, zone), until=day_end(until, zone),
        cursor=cursor, limit=limit, at=at,
    )  # fmt: skip


@router.get("/pledges/{pledge_id}", response_model=Result[PledgeDetail])
def api_pledge(pledge_id: str, session: SessionDep, at: At) -> Result[PledgeDetail]:
    """One pledge and the gifts that paid it."""
    return found(pledge(session, pledge_id, at=at))  # type: ignore[no-any-return]


@router.get("/attestations", response_model=Page[AttestationPublic])
def api_attestations(
    session: SessionDep,
    at: At,
    report_hash: str | None = None,
    cursor: Cursor = None,
    limit: int = DEFAULT_LIMIT,
) -> Page[AttestationPublic]:
    """Reports attested on chain by auditors, newest first; `report_hash` (the sha256 of a
    report's manifest file) keeps that report's."""
    return list_attestations(
        session, report_hash=blank(report_hash), cursor=cursor, limit=limit, at=at
    )


@router.get("/attestations/{report_hash}", response_model=Result[list[AttestationPublic]])
def api_report_attestations(
    report_hash: str, session: SessionDep, at: At
) -> Result[list[AttestationPublic]]:
    """The attestations of one report's manifest hash; 404 when it was never attested."""
    return found(attestations_of_report(session, report_hash, at=at))  # type: ignore[no-any-return]


@router.get("/tx/{tx_hash}", response_model=Result[TxPublic])
def api_tx(tx_hash: str, session: SessionDep, at: At) -> Result[TxPublic]:
    """What one transaction did: its ledger events with arguments and a sentence each."""
    if not is_tx_hash(tx_hash):
        raise HTTPException(404, "not a transaction hash (0x and 64 hex digits)")
    return found(transaction(session, tx_hash, at=at))  # type: ignore[no-any-return]


@router.post("/trace", response_model=Trace, responses={400: {}, 404: {}, 429: {}})
def api_trace(
    request: Request,
    session: SessionDep,
    state: StateDep,
    code: Annotated[str, Body(embed=True, max_length=200)],
) -> Any:
    """What the gift of a receipt code became (the code in the body, never in the URL)."""
    address = request.client.host if request.client else "unknown"
    if not state.trace_limit.allow(address):
        return JSONResponse({"detail": "too many tries: wait a minute"}, 429)
    parsed, page = check(code)
    if parsed is None:
        return JSONResponse({"detail": f"not a valid receipt code ({page.problem})"}, 400)
    answer = look_up(session, parsed)
    if answer.found is None:
        return JSONResponse({"detail": "no gift with this receipt code in the mirror (yet)"}, 404)
    return answer.found
