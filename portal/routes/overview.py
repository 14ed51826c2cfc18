"""/ : the overview — totals, needs met, pledge gap, alerts and the latest events."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from starlette.responses import Response

from ledger.queries.totals import overview as read_overview
from portal.deps import ChromeDep, SessionDep, StateDep

router = APIRouter()


@router.get("/", include_in_schema=False)
def overview(request: Request, chrome: ChromeDep, state: StateDep, session: SessionDep) -> Response:
    """The page."""
    result = read_overview(session, int(time.time()), at=chrome.position)
    return state.renderer.response(request, chrome, "overview.html", result)
