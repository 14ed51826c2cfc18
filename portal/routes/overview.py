"""/ : the overview — totals, needs met, pledge gap, alerts and the latest events."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from ledger.queries.models import Position, Result
from ledger.queries.totals import Overview
from ledger.queries.totals import alerts as read_alerts
from ledger.queries.totals import overview as read_overview
from portal.deps import ChromeDep, SessionDep, StateDep
from portal.responses import keep_until
from portal.state import PortalState

router = APIRouter()


@router.get("/", include_in_schema=False)
def overview(request: Request, chrome: ChromeDep, state: StateDep, session: SessionDep) -> Response:
    """The page (kept until the minute its alerts were judged at ends)."""
    result = cached_overview(state, session, chrome.position)
    response = state.renderer.response(request, chrome, "overview.html", result)
    keep_until(response, minute() + 60)
    return response


def minute() -> int:
    """The start of this minute (unix seconds)."""
    return int(time.time()) // 60 * 60


def cached_overview(state: PortalState, session: Session, at: Position) -> Result[Overview]:
    """The overview at `at`: its sums (tens of milliseconds at a million events) once per mirror
    head, its alerts once per head and minute (judged at the start of the minute, so one result
    serves every request of that minute)."""
    now = minute()
    sums, judged_at = state.cache.get(
        at, "overview", lambda: (read_overview(session, now, at=at), now)
    )
    judged = state.cache.get(
        at,
        ("alerts", now),
        lambda: sums.data.alerts if judged_at == now else read_alerts(session, now),
    )
    return sums.model_copy(update={"data": sums.data.model_copy(update={"alerts": judged})})
