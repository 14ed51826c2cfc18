"""Error answers: 304 for a current copy, and 4xx/5xx as pages in the visitor's language
(or JSON under /api), never a traceback."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.responses import Response

from ledger.errors import AidLedgerValueError
from portal.deps import NotModifiedError, build_chrome, language, portal_state, read_status
from portal.templating import add_validators

log = logging.getLogger("portal")


@dataclass(frozen=True)
class ErrorPage:
    """An error page: its status and, for a refused request, the read layer's explanation."""

    status: int
    detail: str | None = None


def _render(request: Request, error: ErrorPage) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": error.detail or str(error.status)}, error.status)
    state = portal_state(request)
    status = None
    if error.status != 500:
        try:
            with Session(state.engine) as session:
                status = read_status(session)
        except SQLAlchemyError:
            status = None
    chrome = build_chrome(request, state, status, language(request))
    if error.status == 500:  # the mirror was not read: say nothing about it
        chrome = replace(chrome, notices=())
    return state.renderer.response(request, chrome, "error.html", error, error.status)


async def _not_modified(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotModifiedError)
    response = Response(status_code=304)
    add_validators(response, exc.etag)
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _render(request, ErrorPage(exc.status_code, str(exc.detail)))


async def _refused(request: Request, exc: Exception) -> Response:
    return _render(request, ErrorPage(400, str(exc)))


async def _mirror_unreadable(request: Request, exc: Exception) -> Response:
    log.error("mirror unreadable: %s", type(exc).__name__)
    return _render(request, ErrorPage(503))


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("error serving %s: %s", request.url.path, type(exc).__name__)
    return _render(request, ErrorPage(500))


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""
    app.add_exception_handler(NotModifiedError, _not_modified)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(AidLedgerValueError, _refused)
    app.add_exception_handler(SQLAlchemyError, _mirror_unreadable)
    app.add_exception_handler(Exception, _server_error)
