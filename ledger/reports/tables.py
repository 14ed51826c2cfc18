"""What every report format writes: named tables of plain values, and the report's context.

A table's rows are tuples of int, str (or "" for empty): the same in every format, which is what
lets `report verify` compare any file's tables with tables re-derived from the chain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from ledger.reports.formats.safe import safe

Value = int | str
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Table:
    """A titled table (English and Chinese titles) with its column names and rows."""

    name: str
    title_en: str
    title_zh: str
    columns: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    derived_from_chain: bool = True  # False: read from the mirror only (per-gift attribution)


def _wide(value: Any) -> Any:
    """An integer outside 64 bits as its decimal text (amounts on chain are up to 128 bits)."""
    if isinstance(value, int) and not -(2**63) <= value < 2**64:
        return str(value)
    return value


def dump_row(row: Row | list[Any]) -> bytes:
    """A row as compact JSON: integers as numbers, those beyond 64 bits as decimal strings."""
    try:
        return orjson.dumps(row)
    except TypeError:
        return orjson.dumps([_wide(v) for v in row])


BOM = "\ufeff"  # leads every CSV file, so that spreadsheet programs read Chinese names right


def cell(value: Any) -> str:
    """One CSV cell as the CSV format writes it: text that a spreadsheet would run as a formula
    gets a leading apostrophe (`formats/safe.py`); text with a comma, quote or line break is
    quoted, its quotes doubled; None is empty."""
    if isinstance(value, str):
        shown: str = safe(value)
        if '"' in shown or "," in shown or "\n" in shown or "\r" in shown:
            return '"' + shown.replace('"', '""') + '"'
        return shown
    return "" if value is None else str(value)


def record(row: Row | Sequence[Any]) -> str:
    """A row as one CSV record (RFC 4180, CRLF), exactly as the CSV format writes it."""
    return ",".join(map(cell, row)) + "\r\n"


class Digest:
    """A table's digest: a running sha256 over the table as the CSV format writes it, byte for
    byte: a byte-order mark, the header, then each row as a CSV record (docs/reports.md
    "Manifest"). The digest of a CSV report's table is the sha256 of its file."""

    def __init__(self, columns: Sequence[str]) -> None:
        self._h = hashlib.sha256((BOM + record(columns)).encode())
        self.rows = 0

    def add(self, row: Row) -> None:
        """Add one row."""
        self._h.update(record(row).encode())
        self.rows += 1

    def add_all(self, rows: Iterable[Row]) -> Digest:
        """Add many rows; returns self."""
        for r in rows:
            self.add(r)
        return self

    def hexdigest(self) -> str:
        """The digest as 0x-hex."""
        return "0x" + self._h.hexdigest()


@dataclass(frozen=True)
class KnownDigest:
    """A digest computed elsewhere (the journal written by SQL, `journal_sql.py`)."""

    rows: int
    digest: str

    def hexdigest(self) -> str:
        """The digest as 0x-hex."""
        return self.digest


def cells(row: Row) -> Iterator[Value]:
    """A row's values, None shown as the empty string."""
    for v in row:
        yield "" if v is None else v


@dataclass(frozen=True)
class Context:
    """Where and when a report's figures come from (the manifest's content without file hashes).

    Times are unix seconds (UTC). `start`/`end` bound the period (end exclusive) in `tz`;
    `first_seq`..`last_seq` are the period's events (empty when first_seq > last_seq);
    `first_block`/`last_block` (with hashes) bound them on chain; `head` is the ledger head
    after `last_seq`; `complete` is False when the mirror had not yet reached the period's end.
    """

    chain_id: int
    contracts: dict[str, str]  # AidRegistry / FundLedger / SupplyLedger -> address
    deployment_block: int
    period_from: str  # ISO date, first day
    period_to: str  # ISO date, last day (inclusive)
    tz: str
    start: int
    end: int
    first_seq: int
    last_seq: int
    first_block: int
    first_block_hash: str
    last_block: int
    last_block_hash: str
    head: str
    complete: bool
    filters: dict[str, str]  # "site" -> site id, "currency" -> code
    rates_currency: str = ""  # the target currency when a rates file was given
    names: dict[str, str] = field(default_factory=dict)  # site / item / org id -> name

    def as_json(self) -> dict[str, Any]:
        """The context as the manifest shows it."""
        return {
            "chain_id": self.chain_id,
            "contracts": self.contracts,
            "deployment_block": self.deployment_block,
            "period": {"from": self.period_from, "to": self.period_to, "tz": self.tz},
            "start_time": self.start,
            "end_time": self.end,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "first_block": {"number": self.first_block, "hash": self.first_block_hash},
            "last_block": {"number": self.last_block, "hash": self.last_block_hash},
            "ledger_head": self.head,
            "complete": self.complete,
            "filters": self.filters,
            "rates_currency": self.rates_currency,
        }
