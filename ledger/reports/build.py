"""A report's data: the period resolved against the mirror, one pass over the events that
streams the journal while folding the figures, then the summary tables.

Writers (`ledger/reports/formats/`) consume `Report.journal()` once, then read `Report.tables`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Engine, text

from ledger.errors import AidLedgerError
from ledger.reports import journal
from ledger.reports.books import Books
from ledger.reports.events import ReportEvent
from ledger.reports.rates import Rates
from ledger.reports.summary import Summary
from ledger.reports.tables import Context, Digest, KnownDigest, Row, Table

CONTRACT_NAMES = ("AidRegistry", "FundLedger", "SupplyLedger")


class ReportInputError(AidLedgerError):
    """The report was asked for something that cannot be reported (bad dates, empty mirror)."""


def parse_day(value: str, what: str) -> date:
    """An ISO date (YYYY-MM-DD), or a clear error."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReportInputError(
            f"{what} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-01-31"
        ) from None


def zone(name: str) -> ZoneInfo:
    """A time zone by its IANA name, or a clear error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReportInputError(
            f"unknown time zone {name!r}; use an IANA name such as UTC or Asia/Shanghai"
        ) from None


@dataclass(frozen=True)
class Period:
    """Whole days from `first` to `last` (inclusive) in time zone `tz`."""

    first: date
    last: date
    tz: str = "UTC"

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ReportInputError(
                f"the period ends ({self.last}) before it starts ({self.first}); "
                "give --from on or before --to"
            )
        zone(self.tz)

    @property
    def start(self) -> int:
        """The period's first second (unix time)."""
        return int(datetime.combine(self.first, datetime.min.time(), zone(self.tz)).timestamp())

    @property
    def end(self) -> int:
        """The second after the period (unix time, exclusive)."""
        after = self.last + timedelta(days=1)
        return int(datetime.combine(after, datetime.min.time(), zone(self.tz)).timestamp())


def _one(conn: Connection, sql: str, **params: object) -> tuple[Any, ...] | None:
    row = conn.execute(text(sql), params).first()
    return tuple(row) if row is not None else None


def _seq_before(conn: Connection, moment: int) -> int:
    """The mirror's seq after its last block older than `moment` (0 before any)."""
    found = _one(
        conn,
        "SELECT seq FROM blocks WHERE timestamp < :t ORDER BY timestamp DESC, number DESC LIMIT 1",
        t=moment,
    )
    return int(found[0]) if found else 0


def resolve(conn: Connection, period: Period, filters: dict[str, str] | None = None) -> Context:
    """The period's seq and block range in the mirror, with the chain it mirrors."""
    state = _one(
        conn,
        "SELECT chain_id, registry_address, fund_address, supply_address, last_block,"
        " deployment_block, seq, head FROM indexer_state WHERE id = 1",
    )
    if state is None:
        raise ReportInputError(
            "the mirror is empty: run `aidledger index` first, then ask for the report again"
        )
    chain_id, registry, fund, supply, head_block, deployed, head_seq, head = state
    start, end = period.start, period.end
    # `blocks` holds every block that carried an event with the seq after it, and block times
    # never go back: the seq after the last block before a moment is every event before it
    # (two lookups on the timestamp index, where joining raw_events took seconds at 1M events).
    opening_seq = _seq_before(conn, start)
    first_seq, last_seq = opening_seq + 1, max(opening_seq, _seq_before(conn, end))
    blocks = _one(
        conn,
        "SELECT MIN(number), MAX(number) FROM blocks WHERE timestamp >= :s AND timestamp < :e",
        s=start,
        e=end,
    )
    first_block = last_block = 0
    if blocks and blocks[0] is not None:
        first_block, last_block = int(blocks[0]), int(blocks[1])
    hashes: dict[int, str] = dict(
        conn.execute(
            text("SELECT number, hash FROM blocks WHERE number IN (:a, :b)"),
            {"a": first_block, "b": last_block},
        ).all()
    )
    last_head = head
    if last_seq < int(head_seq):
        found = _one(conn, "SELECT head FROM raw_events WHERE seq = :q", q=last_seq)
        last_head = found[0] if found else "0x" + "00" * 32
    head_time = _one(conn, "SELECT timestamp FROM blocks WHERE number = :n", n=head_block)
    complete = head_time is not None and int(head_time[0]) >= end
    names = [n.lower() for n in (registry, fund, supply)]
    return Context(
        chain_id=int(chain_id),
        contracts=dict(zip(CONTRACT_NAMES, map(str, (registry, fund, supply)), strict=True)),
        deployment_block=int(deployed),
        period_from=period.first.isoformat(),
        period_to=period.last.isoformat(),
        tz=period.tz,
        start=start,
        end=end,
        first_seq=first_seq,
        last_seq=last_seq,
        first_block=first_block,
        first_block_hash=str(hashes.get(first_block, "")),
        last_block=last_block,
        last_block_hash=str(hashes.get(last_block, "")),
        head=str(last_head),
        complete=complete,
        filters=dict(filters or {}),
        names={a: n for a, n in zip(names, CONTRACT_NAMES, strict=True)},
    )


@dataclass
class Report:
    """One report's data over an event stream (the mirror's, or the chain's when verifying).

    `journal()` yields the period's journal rows while folding every event; after it is
    exhausted, `tables` holds the summary tables and `digests` every table's digest.
    """

    context: Context
    events: Iterable[ReportEvent]
    rates: Rates | None = None
    extra_tables: Callable[[Context], list[Table]] | None = None  # mirror-only tables
    progress: Callable[[int], None] | None = None
    sql_journal: Engine | None = None  # the mirror, when SQL can write the journal (CSV)
    books: Books = field(default_factory=Books)
    digests: dict[str, Digest | KnownDigest] = field(default_factory=dict)
    _tables: list[Table] | None = None

    @property
    def journal_columns(self) -> tuple[str, ...]:
        """The journal's columns (with the converted amount when a rates file was given)."""
        if self.rates is None:
            return journal.COLUMNS
        return (*journal.COLUMNS, "rate_date", "rate", f"amount_{self.rates.currency}")

    def _keep(self, r: Row) -> bool:
        filters = self.context.filters
        currency = filters.get("currency")
        if currency is not None and r[9] != currency:
            return False
        site = filters.get("site")
        return site is None or site in (r[13], r[14])

    def journal(self) -> Iterator[Row]:
        """The journal's rows, streamed; folds every event up to the period's end."""
        digest = self.digests["journal"] = Digest(self.journal_columns)
        yield from self._pass(digest)

    def fold(self) -> None:
        """Fold every event up to the period's end without making the journal's rows (they are
        written elsewhere meanwhile, `journal_sql.py`: give their digest to `journal_written`)."""
        self.digests["journal"] = KnownDigest(0, "")  # first in order, as `journal()` puts it
        for _ in self._pass(None):
            pass

    def journal_written(self, digest: KnownDigest) -> None:
        """The digest of the journal written elsewhere while `fold` ran."""
        self.digests["journal"] = digest

    def _pass(self, digest: Digest | None) -> Iterator[Row]:
        """One pass over the events: fold each; with `digest`, make, count and yield the rows."""
        ctx, books = self.context, self.books
        first, last = ctx.first_seq, ctx.last_seq
        opening: Books | None = None
        contracts = ctx.names
        progress, done = self.progress, 0
        for e in self.events:
            if e.seq > last:
                break
            if e.seq >= first and opening is None:
                opening = books.snapshot()
            books.apply(e)
            if e.seq < first:
                continue
            if digest is not None:
                r = journal.row(books, contracts, e)
                if self.rates is not None:
                    r = (*r, *self.rates.convert(r[2][:10], r[9], r[10]))
                if self._keep(r):
                    digest.add(r)
                    yield r
            done += 1
            if progress is not None and done % 10_000 == 0:
                progress(done)
        if opening is None:
            opening = books.snapshot()
        tables = Summary(ctx, opening, books).tables()
        if self.extra_tables is not None:
            tables += self.extra_tables(ctx)
        for t in tables:
            self.digests[t.name] = Digest(t.columns).add_all(t.rows)
        self._tables = tables
        if progress is not None:
            progress(done)

    @property
    def tables(self) -> list[Table]:
        """The summary tables; only after `journal()` was consumed."""
        if self._tables is None:
            raise RuntimeError("consume Report.journal() before reading its tables")
        return self._tables

    def rows(self) -> dict[str, int]:
        """Row count per table, journal included."""
        return {name: d.rows for name, d in self.digests.items()}
