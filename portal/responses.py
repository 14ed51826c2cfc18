"""Whole answers kept per mirror head: a page or API answer rendered once, then sent from memory.

A public page depends only on the mirror (its position, the last verify), the chain head the
notices compare it with, the URL, the visitor's language and the minute (alerts are judged per
minute). `CachedResponses`, a pure ASGI wrapper, reads those first, in one session, and answers
from memory when it already holds that answer; otherwise the app runs with that same session
and what was read (so nothing is read twice and the page matches its key), and a complete 200
answer carrying an ETag and no cookie is kept. An If-None-Match naming the kept ETag gets 304.

Only opted-in paths (`PAGES`, `API`) are kept, only for GET (HEAD is turned into GET outside),
and never for a request carrying any cookie but the language, or an Authorization header:
/trace, receipts, reports, sign-in and anything else that takes a secret always run the app.
Memory is bounded (`max_bytes` per worker process); a new mirror head or minute empties it.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

import anyio.to_thread
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger.queries.models import Position
from ledger.queries.position import read_position
from ledger.queries.status import MirrorStatus, mirror_status
from portal.context import position_of
from portal.i18n import COOKIE, choose
from portal.state import PortalState

READ = "aidledger.read"  # the scope key under which the app finds what was read
# First path segments of the pages kept, and the /api/v1 answers kept.
PAGES = frozenset(
    ("", "gifts", "sites", "shipments", "needs", "pledges", "flows", "tx", "verify", "about")
)
API = frozenset(("overview", "flows", "gifts", "needs", "shipments", "pledges", "tx"))
API_PREFIX = "/api/v1/"
MAX_ENTRY = 1024 * 1024  # bytes; a bigger answer is sent, not kept
KEEP_UNTIL = b"x-aidledger-keep-until"  # set by a route whose answer changes with the clock


def keep_until(response: Response, until: float) -> None:
    """Say that `response` holds until the minute starting at or after `until` (unix seconds):
    an answer judged at the start of a minute is kept while the minute is before `until`. The
    header never leaves the server."""
    if math.isfinite(until):
        response.headers[KEEP_UNTIL.decode()] = str(int(until))


@dataclass(frozen=True)
class Read:
    """What was read for a request before the app ran: the app reuses it as is."""

    session: Session
    status: MirrorStatus | None  # pages: the mirror's status (None: not read)
    chain_block: int | None  # pages: the node's head (None: unknown or not asked)
    position: Position  # API: the mirror position


@dataclass(frozen=True)
class Kept:
    """A complete 200 answer: its headers, body and ETag, and until when it holds."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes
    until: float = math.inf

    def holds(self) -> bool:
        """Whether the answer still holds this minute."""
        return time.time() // 60 * 60 < self.until


class AnswerCache:
    """Kept answers of one mirror head and minute, least recently used dropped past a size."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._generation: Hashable = None
        self._kept: OrderedDict[Hashable, Kept] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, generation: Hashable, key: Hashable) -> Kept | None:
        """The answer kept for `key`, if any (a new generation empties the cache)."""
        with self._lock:
            if generation != self._generation:
                self._generation, self._kept, self._bytes = generation, OrderedDict(), 0
                return None
            kept = self._kept.get(key)
            if kept is None or not kept.holds():
                return None
            self._kept.move_to_end(key)
            return kept

    def put(self, generation: Hashable, key: Hashable, kept: Kept) -> None:
        """Keep `kept` unless the generation moved on meanwhile or it is too big."""
        size = len(kept.body) + sum(len(k) + len(v) for k, v in kept.headers)
        with self._lock:
            if generation != self._generation or size > min(MAX_ENTRY, self.max_bytes):
                return
            old = self._kept.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            while self._kept and self._bytes + size > self.max_bytes:
                _, dropped = self._kept.popitem(last=False)
                self._bytes -= len(dropped.body)
            self._kept[key] = kept
            self._bytes += size


def kind_of(scope: Scope) -> str | None:
    """ "page" or "api" when this request's answer may be kept, else None."""
    if scope["type"] != "http" or scope["method"] != "GET":
        return None
    path: str = scope["path"]
    if path.startswith(API_PREFIX):
        return "api" if path[len(API_PREFIX) :].split("/", maxsplit=1)[0] in API else None
    return "page" if path[1:].split("/", maxsplit=1)[0] in PAGES else None


def _headers(scope: Scope) -> dict[bytes, bytes]:
    wanted = (b"cookie", b"accept-language", b"host", b"authorization")
    return {k: v for k, v in scope["headers"] if k in wanted}


class CachedResponses:
    """Answers opted-in GET requests from an `AnswerCache`, filling it from the app."""

    def __init__(self, app: ASGIApp, state: PortalState, cache: AnswerCache | None = None) -> None:
        self.app = app
        self.state = state
        self.cache = cache or AnswerCache()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from memory, or run the app with what was read and keep its answer."""
        kind = kind_of(scope)
        headers = _headers(scope) if kind else {}
        cookies = cookie_parser(headers.get(b"cookie", b"").decode("latin-1"))
        if kind is None or b"authorization" in headers or set(cookies) - {COOKIE}:
            await self.app(scope, receive, send)
            return
        lang = choose(cookies.get(COOKIE), headers.get(b"accept-language", b"").decode("latin-1"))
        where = (kind, scope["scheme"], headers.get(b"host"), scope["path"], scope["query_string"])
        session = Session(self.state.engine)
        found = await anyio.to_thread.run_sync(self._look_up, session, (*where, lang.tag))
        if found is None:  # no mirror tables yet: the app says so, nothing is kept
            try:
                await self.app(scope, receive, send)
            finally:
                await anyio.to_thread.run_sync(session.close)
            return
        read, generation, key, kept = found
        if kept is not None:  # the session is closed already
            await _send_kept(kept, scope, send)
            return
        try:
            await self._fill(scope, receive, send, read, generation, key)
        finally:
            await anyio.to_thread.run_sync(session.close)

    def _look_up(
        self, session: Session, where: tuple[Hashable, ...]
    ) -> tuple[Read, Hashable, Hashable, Kept | None] | None:
        """In a worker thread: what the answer depends on, its generation and key, and the
        answer kept for it (then the session is closed here: one thread hop in all)."""
        read = self._read(session, where[0] == "page")
        if read is None:
            return None
        at = read.position
        generation = (at.seq, at.head, int(time.time()) // 86_400)  # the ETag's day
        key = (*where, read.status, read.chain_block, at.block)
        kept = self.cache.get(generation, key)
        if kept is not None:
            session.close()
        return read, generation, key, kept

    def _read(self, session: Session, page: bool) -> Read | None:
        """The mirror's status (pages) or position (API), and the chain head for pages."""
        try:
            if not page:
                return Read(session, None, None, read_position(session))
            status = mirror_status(session)
        except SQLAlchemyError:
            session.rollback()
            return None
        chain_block = self.state.chain_head.block()
        return Read(session, status, chain_block, position_of(status))

    async def _fill(
        self, scope: Scope, receive: Receive, send: Send, read: Read, generation: Hashable,
        key: Hashable,
    ) -> None:  # fmt: skip
        """Run the app with `read`, sending its answer on and keeping it when it may be."""
        parts: list[bytes] = []
        start: Message | None = None
        keep, until = False, math.inf

        async def passing(message: Message) -> None:
            nonlocal start, keep, until
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                until = next((float(v) for k, v in headers if k == KEEP_UNTIL), math.inf)
                message = {**message, "headers": [(k, v) for k, v in headers if k != KEEP_UNTIL]}
                names = {k.lower() for k, _ in message["headers"]}
                keep = message["status"] == 200 and b"etag" in names and b"set-cookie" not in names
                start = {**message, "headers": list(message["headers"])}  # outer layers add
            elif message["type"] == "http.response.body" and keep:
                parts.append(message.get("body", b""))
                if sum(map(len, parts)) > MAX_ENTRY:
                    keep = False
                elif not message.get("more_body", False) and start is not None:
                    headers = list(start["headers"])
                    etag = next(v for k, v in headers if k.lower() == b"etag")
                    kept = Kept(headers, b"".join(parts), etag, until)
                    self.cache.put(generation, key, kept)
            await send(message)

        await self.app({**scope, READ: read}, receive, passing)


async def _send_kept(kept: Kept, scope: Scope, send: Send) -> None:
    """The kept answer, or 304 when the client holds its ETag."""
    match = dict(scope["headers"]).get(b"if-none-match")
    if match is not None and _matches(match, kept.etag):
        headers = [(k, v) for k, v in kept.headers if k in (b"etag", b"cache-control", b"vary")]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return
    await send({"type": "http.response.start", "status": 200, "headers": list(kept.headers)})
    await send({"type": "http.response.body", "body": kept.body, "more_body": False})


def _matches(header: bytes, etag: bytes) -> bool:
    """Whether If-None-Match `header` names `etag` (as portal.templating.not_modified)."""
    tags = {tag.strip() for tag in header.split(b",")}
    return etag in tags or etag.removeprefix(b"W/") in tags or b"*" in tags
