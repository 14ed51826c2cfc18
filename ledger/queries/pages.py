"""Keyset pagination, date ranges as ledger positions, and streaming a list for CSV.

A list is ordered by a key of columns that ends in something unique (newest first:
`(seq, id)` descending). A cursor encodes the last row's key; the next page is the rows whose
key comes after it (`WHERE (seq, id) < (:seq, :id)`), so a page costs the same at any depth and
rows written meanwhile neither repeat nor go missing. OFFSET is never used.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, func, literal, select, tuple_
from sqlmodel import Session, col

from ledger.errors import AidLedgerValueError
from ledger.queries.models import Page, Position
from ledger.store.models import Block

T = TypeVar("T")
Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])
Key = tuple[int | str, ...]

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class BadCursorError(AidLedgerValueError):
    """A cursor this list did not make (edited, truncated or from another list)."""


class BadFilterError(AidLedgerValueError):
    """A filter value that cannot be right (a limit out of range, an inverted date range)."""


def encode_cursor(key: Key) -> str:
    """The opaque, URL-safe cursor of a row's key."""
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, width: int) -> Key:
    """The key in `cursor`; BadCursorError unless it holds `width` ints and strings."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError):
        key = None
    if (
        not isinstance(key, list)
        or len(key) != width
        or not all(isinstance(k, int | str) and not isinstance(k, bool) for k in key)
    ):
        raise BadCursorError(
            "this page link is not valid (edited or from another list); open the list again"
        )
    return tuple(key)


def check_limit(limit: int) -> int:
    """`limit` if it is between 1 and MAX_LIMIT."""
    if not 1 <= limit <= MAX_LIMIT:
        raise BadFilterError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    return limit


def keyset(
    query: Q,
    key: Sequence[Any],
    cursor: str | None,
    limit: int,
    ascending: bool = False,
) -> Q:
    """`query` ordered by `key` (descending unless `ascending`), after `cursor`, with one row
    more than `limit` (so `page` knows whether another page follows)."""
    if cursor is not None:
        after = tuple_(*decode_cursor(cursor, len(key)))
        query = query.where(tuple_(*key) > after if ascending else tuple_(*key) < after)
    order = [k.asc() if ascending else k.desc() for k in key]
    return query.order_by(*order).limit(check_limit(limit) + 1)


def page(
    rows: Sequence[Any],
    limit: int,
    key_of: Callable[[Any], Key],
    build: Callable[[Any], T],
    at: Position,
) -> Page[T]:
    """The page of `rows` (fetched with `keyset`, so one row too many when more follow)."""
    more = len(rows) > limit
    shown = rows[:limit]
    following = encode_cursor(key_of(shown[-1])) if more and shown else None
    return Page[T](items=[build(r) for r in shown], next=following, position=at)


def stream(fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
    """Every item of a list, page after page (for CSV): `fetch(cursor)` returns one page."""
    cursor: str | None = None
    while True:
        current = fetch(cursor)
        yield from current.items
        if current.next is None:
            return
        cursor = current.next


def seq_bounds(
    session: Session, since: int | None, until: int | None
) -> tuple[int | None, int | None]:
    """The ledger seq range `[low, high]` of events in blocks timed `since <= t < until`.

    A block's row holds the seq after it, so the events before `since` end at the seq of the
    last block before it. One query; (None, None) when neither bound is given.
    """
    if since is None and until is None:
        return None, None
    if since is not None and until is not None and until < since:
        raise BadFilterError(f"the date range ends ({until}) before it starts ({since})")

    def before(t: int | None) -> Any:
        if t is None:
            return literal(0)
        last = select(func.coalesce(func.max(col(Block.seq)), 0))
        return last.where(col(Block.timestamp) < t).scalar_subquery()

    lo, hi = session.execute(select(before(since), before(until))).one()
    return (None if since is None else int(lo) + 1), (None if until is None else int(hi))


def in_range(column: Any, bounds: tuple[int | None, int | None]) -> list[Any]:
    """WHERE clauses keeping `column` (a seq) within `bounds`."""
    low, high = bounds
    clauses = []
    if low is not None:
        clauses.append(column >= low)
    if high is not None:
        clauses.append(column <= high)
    return clauses
