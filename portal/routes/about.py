"""/about: how to check everything independently with only the ABI and an RPC URL."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from portal.deps import ChromeDep, StateDep

router = APIRouter()


@router.get("/about", include_in_schema=False)
def about(request: Request, chrome: ChromeDep, state: StateDep) -> Response:
    """The page."""
    return state.renderer.response(request, chrome, "about.html")
