"""What every list page shares: blank filters, date ranges, the next-page link and CSV.

Lists paginate by keyset (`ledger.queries.pages`: a cursor, never OFFSET). The CSV of a list is
streamed page by page from its own session, so a long list never sits in memory; cells that a
spreadsheet would run as a formula are quoted (names on chain are untrusted).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from typing import Any, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import StreamingResponse

from ledger.queries.models import Page, Position
from ledger.queries.pages import MAX_LIMIT, BadFilterError, stream
from ledger.queries.position import read_position
from portal.state import PortalState

T = TypeVar("T", bound=BaseModel)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def blank(value: str | None) -> str | None:
    """None for a missing or empty form field, else the value stripped."""
    if value is None or not value.strip():
        return None
    return value.strip()


def day_start(value: str | None, timezone: str) -> int | None:
    """The unix time a YYYY-MM-DD day starts in `timezone` (None when blank)."""
    text = blank(value)
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadFilterError(f"{text!r} is not a date: use YYYY-MM-DD") from None
    return int(datetime.combine(day, time(), ZoneInfo(timezone)).timestamp())


def day_end(value: str | None, timezone: str) -> int | None:
    """The unix time the day after a YYYY-MM-DD day starts (an exclusive end)."""
    start = day_start(value, timezone)
    return None if start is None else start + 86_400


def next_link(request: Request, cursor: str | None) -> str | None:
    """This list's URL with the same filters and `cursor` for the following page."""
    if cursor is None:
        return None
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor" and v]
    return f"{request.url.path}?{urlencode([*params, ('cursor', cursor)])}"


def csv_link(request: Request) -> str:
    """This list's URL with the same filters, as CSV from the start."""
    params = [
        (k, v) for k, v in request.query_params.multi_items() if k not in ("cursor", "format") and v
    ]
    return f"{request.url.path}?{urlencode([*params, ('format', 'csv')])}"


def flatten(model: BaseModel) -> dict[str, Any]:
    """A model as one flat row: nested models become `outer_inner` columns, lists are joined."""
    row: dict[str, Any] = {}
    for name, value in model.model_dump().items():
        if isinstance(value, dict):
            row.update({f"{name}_{k}": v for k, v in value.items()})
        elif isinstance(value, list):
            row[name] = "; ".join(str(v) for v in value)
        else:
            row[name] = value
    return row


def cell(value: Any) -> Any:
    """A CSV cell; text a spreadsheet would take for a formula is quoted with a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_response(
    state: PortalState,
    fetch: Callable[[Session, str | None, int, Position], Page[T]],
    filename: str,
) -> StreamingResponse:
    """The whole list as CSV, streamed: `fetch(session, cursor, limit, at)` reads one page."""

    def rows() -> Iterator[str]:
        with Session(state.engine) as session:
            at = read_position(session)
            buffer = io.StringIO()
            writer: csv.DictWriter[str] | None = None
            for item in stream(lambda cursor: fetch(session, cursor, MAX_LIMIT, at)):
                flat = flatten(item)
                if writer is None:
                    writer = csv.DictWriter(buffer, fieldnames=list(flat), lineterminator="\r\n")
                    writer.writeheader()
                writer.writerow({k: cell(v) for k, v in flat.items()})
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()

    headers = {
        "content-disposition": f'attachment; filename="{filename}"',
        "cache-control": "no-cache",
    }
    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers=headers)
