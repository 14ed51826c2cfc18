"""The language switch: remember the choice in a cookie and go back to the page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse

from portal.i18n import COOKIE, DEFAULT, by_tag

router = APIRouter()
ONE_YEAR = 365 * 24 * 3600


def local_path(target: str | None) -> str:
    """`target` if it is a path on this site, else '/': the switch never redirects away."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/lang/{tag}", include_in_schema=False)
def switch(tag: str, request: Request, next: str | None = None) -> RedirectResponse:
    """Set the `lang` cookie (SameSite=Lax, Secure over https) and return to `next`."""
    chosen = by_tag(tag) or DEFAULT
    response = RedirectResponse(local_path(next), status_code=303)
    response.set_cookie(
        COOKIE,
        chosen.tag,
        max_age=ONE_YEAR,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response
