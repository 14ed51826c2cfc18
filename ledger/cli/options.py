"""Parsing what staff type: dates, earmarks, enum choices, dispatch and receipt lines."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import IntEnum
from typing import TypeVar

from ledger.chain.types import EarmarkKind
from ledger.errors import AidLedgerValueError

REF_HELP = (
    "The source record this write comes from (waybill, form, statement line); "
    "a retry with the same --ref is recognised and not recorded twice."
)


def day(text: str | None) -> int:
    """'2020-02-15' -> its UTC midnight as a unix time; None or '' -> 0 (none)."""
    if not text:
        return 0
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        raise AidLedgerValueError(f"date {text!r} must look like 2020-02-15") from None
    return int(datetime(parsed.year, parsed.month, parsed.day, tzinfo=UTC).timestamp())


E = TypeVar("E", bound=IntEnum)


def choice(enum: type[E], text: str) -> E:
    """An enum member by its lower-case name ('count_correction' or 'count-correction')."""
    key = text.strip().upper().replace("-", "_")
    names = [m.name.lower() for m in enum if m.value]
    if key not in enum.__members__ or not enum[key].value:
        raise AidLedgerValueError(f"{text!r} is not one of: {', '.join(names)}")
    return enum[key]


def earmark(text: str | None) -> tuple[EarmarkKind, bytes]:
    """'purpose:masks', 'region:CN-HB', 'category:ppe' or None -> (kind, bytes32 value)."""
    from ledger.chain.ids import ZERO32, label, region_earmark

    if not text:
        return EarmarkKind.NONE, ZERO32
    kind_text, sep, value = text.partition(":")
    if not sep or not value:
        raise AidLedgerValueError(
            f"earmark {text!r} must be purpose:TEXT, region:CODE or category:TEXT"
        )
    kind = choice(EarmarkKind, kind_text)
    return kind, region_earmark(value) if kind is EarmarkKind.REGION else label(value)


def pair(text: str, what: str) -> tuple[str, int, str]:
    """'L-17:150' or 'L-17:150:damaged' -> ('L-17', 150, 'damaged'); quantities must be > 0."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[1].isdigit():
        raise AidLedgerValueError(f"{what} {text!r} must look like NAME:QUANTITY[:REASON]")
    return parts[0], int(parts[1]), parts[2] if len(parts) == 3 else ""
