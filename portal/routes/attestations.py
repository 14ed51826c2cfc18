"""/attestations: the reports auditors attested on chain, newest first (`aidledger attest`)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from ledger.queries.attestations import AttestationPublic, list_attestations
from ledger.queries.models import Page, Position
from ledger.queries.pages import DEFAULT_LIMIT
from portal.deps import ChromeDep, SessionDep, StateDep
from portal.listing import blank, csv_link, csv_response, next_link

router = APIRouter()


@dataclass(frozen=True)
class AttestationsPage:
    """A page of attestations, the report hash it was filtered by, and its links."""

    attestations: Page[AttestationPublic]
    report_hash: str | None
    next_url: str | None
    csv_url: str


@router.get("/attestations", include_in_schema=False)
def attestations(
    request: Request,
    chrome: ChromeDep,
    state: StateDep,
    session: SessionDep,
    report_hash: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    format: str | None = None,
) -> Response:
    """The list (or its CSV); `report_hash` keeps the attestations of one manifest hash."""
    report_hash = blank(report_hash)

    def read(s: Session, c: str | None, n: int, at: Position) -> Page[AttestationPublic]:
        return list_attestations(s, report_hash=report_hash, cursor=c, limit=n, at=at)

    if format == "csv":
        return csv_response(state, read, "attestations.csv")
    found = read(session, cursor, limit, chrome.position)
    page = AttestationsPage(found, report_hash, next_link(request, found.next), csv_link(request))
    return state.renderer.response(request, chrome, "attestations.html", page)
