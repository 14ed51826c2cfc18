"""Request dependencies: a session on the mirror, the visitor's language and the page chrome.

`ChromeDep` reads the mirror's position once per request; when the client already holds this
exact page (If-None-Match equals the ETag keyed on that position), it answers 304 before any
page query runs. When portal/responses.py already read the status (a page it may keep), the
session and status it read are used as they are: one snapshot, nothing read twice.

The dependencies are `async def` and do no I/O on the event loop: a sync one would cost a hop
through the thread pool each; reading the mirror goes to a thread explicitly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from ledger.queries.status import MirrorStatus, mirror_status
from portal.context import Chrome, notices
from portal.i18n import COOKIE, Formatter, Language, choose
from portal.responses import READ, Read
from portal.state import PortalState
from portal.templating import etag_of, not_modified


class NotModifiedError(Exception):
    """The client's copy is current: answer 304 with this ETag."""

    def __init__(self, etag: str) -> None:
        super().__init__(etag)
        self.etag = etag


async def state_of(request: Request) -> PortalState:
    """The app's state (the dependency)."""
    return portal_state(request)


def portal_state(request: Request) -> PortalState:
    """The app's state."""
    return cast(PortalState, request.app.state.portal)


StateDep = Annotated[PortalState, Depends(state_of)]


def already_read(request: Request) -> Read | None:
    """What portal/responses.py read for this request, if it did."""
    return cast(Read | None, request.scope.get(READ))


async def get_session(request: Request, state: StateDep) -> AsyncIterator[Session]:
    """A session on the mirror for this request (closed after it, in a thread)."""
    read = already_read(request)
    if read is not None:  # closed by portal/responses.py
        yield read.session
        return
    session = Session(state.engine)  # connects on its first query
    try:
        yield session
    finally:
        await run_in_threadpool(session.close)


SessionDep = Annotated[Session, Depends(get_session)]


async def visitor_language(request: Request) -> Language:
    """The visitor's language (the dependency)."""
    return language(request)


def language(request: Request) -> Language:
    """The visitor's language: their cookie, else Accept-Language, else English."""
    return choose(request.cookies.get(COOKIE), request.headers.get("accept-language"))


LanguageDep = Annotated[Language, Depends(visitor_language)]


def read_status(session: Session) -> MirrorStatus | None:
    """The mirror's status, or None when the database has no mirror tables yet."""
    try:
        return mirror_status(session)
    except (OperationalError, ProgrammingError):
        session.rollback()
        return None


def build_chrome(
    request: Request,
    state: PortalState,
    status: MirrorStatus | None,
    lang: Language,
    chain_block: int | None = None,
    ask_chain: bool = True,
) -> Chrome:
    """The frame of a page for this request and mirror state (the chain head asked of the node
    unless `ask_chain` is False: then `chain_block` is the one already asked)."""
    settings = state.settings
    if ask_chain:
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


async def chrome(
    request: Request, state: StateDep, session: SessionDep, lang: LanguageDep
) -> Chrome:
    """The chrome; raises NotModifiedError when the client's copy is current."""
    read = already_read(request)
    if read is not None and read.status is not None:
        built = build_chrome(request, state, read.status, lang, read.chain_block, ask_chain=False)
    else:
        built = await run_in_threadpool(
            lambda: build_chrome(request, state, read_status(session), lang)
        )
    if request.method in ("GET", "HEAD"):
        etag = etag_of(request, built)
        if not_modified(request, etag):
            raise NotModifiedError(etag)
    return built


ChromeDep = Annotated[Chrome, Depends(chrome)]
