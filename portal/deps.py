"""Request dependencies: a session on the mirror, the visitor's language and the page chrome.

`ChromeDep` reads the mirror's position once per request; when the client already holds this
exact page (If-None-Match equals the ETag keyed on that position), it answers 304 before any
page query runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session

from ledger.queries.status import MirrorStatus, mirror_status
from portal.context import Chrome, notices
from portal.i18n import COOKIE, Formatter, Language, choose
from portal.state import PortalState
from portal.templating import etag_of, not_modified


class NotModifiedError(Exception):
    """The client's copy is current: answer 304 with this ETag."""

    def __init__(self, etag: str) -> None:
        super().__init__(etag)
        self.etag = etag


def portal_state(request: Request) -> PortalState:
    """The app's state."""
    return cast(PortalState, request.app.state.portal)


StateDep = Annotated[PortalState, Depends(portal_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    """A session on the mirror for this request."""
    with Session(state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def language(request: Request) -> Language:
    """The visitor's language: their cookie, else Accept-Language, else English."""
    return choose(request.cookies.get(COOKIE), request.headers.get("accept-language"))


LanguageDep = Annotated[Language, Depends(language)]


def read_status(session: Session) -> MirrorStatus | None:
    """The mirror's status, or None when the database has no mirror tables yet."""
    try:
        return mirror_status(session)
    except (OperationalError, ProgrammingError):
        session.rollback()
        return None


def build_chrome(
    request: Request, state: PortalState, status: MirrorStatus | None, lang: Language
) -> Chrome:
    """The frame of a page for this request and mirror state."""
    settings = state.settings
    chain_block = state.chain_head.block()
    return Chrome(
        lang=lang,
        path=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        section=request.url.path.strip("/").split("/")[0],
        status=status,
        chain_block=chain_block,
        notices=notices(status, chain_block, settings.lag_blocks, settings.rpc_url is not None),
        fmt=Formatter(lang.locale, settings.timezone),
    )


def chrome(request: Request, state: StateDep, session: SessionDep, lang: LanguageDep) -> Chrome:
    """The chrome; raises NotModifiedError when the client's copy is current."""
    built = build_chrome(request, state, read_status(session), lang)
    if request.method in ("GET", "HEAD"):
        etag = etag_of(request, built)
        if not_modified(request, etag):
            raise NotModifiedError(etag)
    return built


ChromeDep = Annotated[Chrome, Depends(chrome)]
