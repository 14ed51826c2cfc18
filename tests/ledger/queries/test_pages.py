"""Keyset cursors, limits, date ranges as seq bounds, and streaming every page."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from ledger.queries.models import Page
from ledger.queries.pages import (
    MAX_LIMIT,
    BadCursorError,
    BadFilterError,
    check_limit,
    decode_cursor,
    encode_cursor,
    page,
    seq_bounds,
    stream,
)
from ledger.queries.position import EMPTY
from ledger.store.db import make_engine, upgrade


def test_a_cursor_round_trips_its_key_and_is_url_safe() -> None:
    cursor = encode_cursor((17, "0xab"))
    assert decode_cursor(cursor, 2) == (17, "0xab")
    assert all(c.isalnum() or c in "-_" for c in cursor)


@pytest.mark.parametrize(
    "cursor", ["", "not base64!", encode_cursor((1,)), encode_cursor((True, "x")), "W1tdXQ"]
)
def test_a_cursor_of_another_shape_is_refused_in_one_line(cursor: str) -> None:
    with pytest.raises(BadCursorError, match="page link is not valid"):
        decode_cursor(cursor, 2)


def test_limits_outside_one_to_max_are_refused() -> None:
    assert check_limit(1) == 1 and check_limit(MAX_LIMIT) == MAX_LIMIT
    for bad in (0, -1, MAX_LIMIT + 1):
        with pytest.raises(BadFilterError, match="limit must be between"):
            check_limit(bad)


def test_page_has_a_next_cursor_only_when_a_row_more_was_fetched() -> None:
    full = page([5, 4, 3], 2, lambda r: (r,), str, EMPTY)
    assert full.items == ["5", "4"] and full.next is not None
    assert decode_cursor(full.next, 1) == (4,)
    last = page([2], 2, lambda r: (r,), str, EMPTY)
    assert last.items == ["2"] and last.next is None


def test_stream_yields_every_item_of_every_page_in_order() -> None:
    rows = list(range(10, 0, -1))

    def fetch(cursor: str | None) -> Page[int]:
        start = 0 if cursor is None else rows.index(decode_cursor(cursor, 1)[0]) + 1  # type: ignore[arg-type]
        return page(rows[start : start + 4], 3, lambda r: (r,), int, EMPTY)

    assert list(stream(fetch)) == rows


def test_a_date_range_ending_before_it_starts_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    upgrade(url)
    with Session(make_engine(url)) as session:
        assert seq_bounds(session, None, None) == (None, None)
        assert seq_bounds(session, 10, 20) == (1, 0)  # nothing indexed: an empty range
        with pytest.raises(BadFilterError, match=r"ends .* before it starts"):
            seq_bounds(session, 20, 10)
