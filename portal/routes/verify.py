"""/verify: where the mirror stands against the chain, and the last `aidledger verify`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from portal.deps import ChromeDep, StateDep

router = APIRouter()


@router.get("/verify", include_in_schema=False)
def verify(request: Request, chrome: ChromeDep, state: StateDep) -> Response:
    """The page: everything it shows is in the chrome (mirror status, chain head, notices)."""
    return state.renderer.response(request, chrome, "verify.html")
