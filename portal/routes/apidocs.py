"""/api/docs: the API's OpenAPI schema in the vendored Swagger UI (no CDN, no inline script)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from portal.deps import ChromeDep, StateDep

router = APIRouter()


@router.get("/api/docs", include_in_schema=False)
def api_docs(request: Request, chrome: ChromeDep, state: StateDep) -> Response:
    """The docs page; the schema itself is /api/openapi.json."""
    return state.renderer.response(request, chrome, "api_docs.html")
