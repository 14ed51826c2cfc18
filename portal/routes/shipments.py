"""/shipments and /shipments/{id}: dispatched against received, discrepancies with reasons."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, HTTPException, Request
from sqlmodel import Session
from starlette.responses import Response

from ledger.queries.models import Page, Position
from ledger.queries.pages import DEFAULT_LIMIT
from ledger.queries.shipments import STATUSES, ShipmentPublic, list_shipments, shipment
from portal.deps import ChromeDep, SessionDep, StateDep
from portal.listing import blank, csv_link, csv_response, day_end, day_start, next_link

router = APIRouter()


@dataclass(frozen=True)
class ShipmentsPage:
    """A page of shipments, the filters it was read with, and its links."""

    shipments: Page[ShipmentPublic]
    status: str | None
    region: str | None
    next_url: str | None
    csv_url: str
    statuses: tuple[str, ...] = STATUSES


@router.get("/shipments", include_in_schema=False)
def shipments(
    request: Request,
    chrome: ChromeDep,
    state: StateDep,
    session: SessionDep,
    status: str | None = None,
    site: str | None = None,
    region: str | None = None,
    item: str | None = None,
    since: str | None = None,
    until: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str | None = None,
) -> Response:
    """The list (or its CSV)."""
    zone = state.settings.timezone
    status, site, region, item = blank(status), blank(site), blank(region), blank(item)
    low, high = day_start(since, zone), day_end(until, zone)

    def read(s: Session, c: str | None, n: int, at: Position) -> Page[ShipmentPublic]:
        return list_shipments(
            s, status=status, site=site, region=region, item=item, since=low, until=high,
            cursor=c, limit=n, at=at,
        )  # fmt: skip

    if format == "csv":
        return csv_response(state, read, "shipments.csv")
    found = read(session, cursor, limit, chrome.position)
    page = ShipmentsPage(found, status, region, next_link(request, found.next), csv_link(request))
    return state.renderer.response(request, chrome, "shipments.html", page)


@router.get("/shipments/{shipment_id}", include_in_schema=False)
def one_shipment(
    shipment_id: str, request: Request, chrome: ChromeDep, state: StateDep, session: SessionDep
) -> Response:
    """One shipment and its lines."""
    found = shipment(session, shipment_id, at=chrome.position)
    if found is None:
        raise HTTPException(404)
    return state.renderer.response(request, chrome, "shipment.html", found)
