"""CSRF protection of the portal's forms that take secrets or sign in: a signed double submit.

A visitor gets a random `csrf` cookie (HttpOnly, SameSite=Strict, path /trace or /auditor) with
the first form that needs it; the form carries `csrf` = HMAC(secret, cookie). A post is accepted
only when the field matches the cookie it came with, which a page on another site can neither
read nor set.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "csrf"
FIELD = "csrf"


def _mac(secret: bytes, value: str) -> str:
    digest = hmac.new(secret, b"csrf:" + value.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def cookie_of(request: Request) -> str | None:
    """The visitor's CSRF cookie, when it has a plausible one."""
    value = request.cookies.get(COOKIE)
    return value if value and 20 <= len(value) <= 100 else None


def issue(request: Request, secret: bytes) -> tuple[str, str | None]:
    """(the form's token, a new cookie value to set or None when the visitor has one)."""
    value = cookie_of(request)
    if value is not None:
        return _mac(secret, value), None
    value = secrets.token_urlsafe(32)
    return _mac(secret, value), value


def set_cookie(response: Response, request: Request, value: str | None, path: str) -> None:
    """Set the new cookie from `issue`, if there is one, for the pages under `path` only (the
    forms that need it: /trace, /auditor), so every other page is asked without it and stays
    cacheable (portal/responses.py keeps no answer to a request with a cookie)."""
    if value is not None:
        response.set_cookie(
            COOKIE,
            value,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path=path,
        )


def valid(request: Request, secret: bytes, token: str) -> bool:
    """Whether the posted `token` belongs to the cookie the post came with."""
    value = cookie_of(request)
    return value is not None and hmac.compare_digest(_mac(secret, value), token)
