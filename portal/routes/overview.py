"""/ : the overview — totals, needs met, pledge gap, alerts and the latest events."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from ledger.queries.models import Position, Result
from ledger.queries.totals import Overview
from ledger.queries.totals import overview as read_overview
from portal.deps import ChromeDep, SessionDep, StateDep
from portal.state import PortalState

router = APIRouter()


@router.get("/", include_in_schema=False)
def overview(request: Request, chrome: ChromeDep, state: StateDep, session: SessionDep) -> Response:
    """The page."""
    result = cached_overview(state, session, chrome.position)
    return state.renderer.response(request, chrome, "overview.html", result)


def cached_overview(state: PortalState, session: Session, at: Position) -> Result[Overview]:
    """The overview at `at`, summed once per mirror head and minute (its alerts are judged at
    the start of the minute, so one result serves every request of that minute)."""
    now = int(time.time()) // 60 * 60
    return state.cache.get(at, ("overview", now), lambda: read_overview(session, now, at=at))
