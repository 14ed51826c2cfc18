"""Make a report file from the mirror: resolve the period, stream the events through the
format's writer, then write the manifest beside the file (`aidledger report`, the portal)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from ledger.errors import AidLedgerError
from ledger.files import write_atomically
from ledger.reports import manifest as manifests
from ledger.reports.attribution import attribution_tables
from ledger.reports.build import Period, Report, resolve
from ledger.reports.events import mirror_events
from ledger.reports.formats import FORMATS, writer
from ledger.reports.formats.csv_format import table_path
from ledger.reports.journal_sql import journaled
from ledger.reports.rates import Rates

REPORT_CACHE_KIB = 8_192  # SQLite page cache of a report's connection (the engine's is 64 MiB)


class ReportFormatError(AidLedgerError):
    """No such report format."""


@dataclass(frozen=True)
class Produced:
    """What a report run wrote: its files (the report first) and the manifest."""

    files: list[Path]
    manifest_path: Path
    manifest: dict[str, Any]
    manifest_bytes: bytes


def check_format(fmt: str) -> str:
    """The format name, or a clear error listing the ones there are."""
    if fmt not in FORMATS:
        raise ReportFormatError(f"no report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return fmt


def produce(
    engine: Engine,
    period: Period,
    fmt: str,
    out: Path,
    filters: dict[str, str] | None = None,
    rates: Rates | None = None,
    progress: Callable[[int], None] | None = None,
) -> Produced:
    """Write the report of `period` in `fmt` to `out` and its manifest beside it."""
    check_format(fmt)
    check_out(out)
    try:
        with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.") as work:
            files = _write(engine, period, fmt, Path(work) / out.name, filters, rates, progress)
            report, written = files
            final = [out.parent / f.name for f in written]
            for f, target in zip(written, final, strict=True):
                f.replace(target)
    except OSError as exc:  # a full disk, a quota: nothing half-written is left
        raise ReportFormatError(
            f"cannot write the report in {out.parent} ({exc.strerror or exc}); free some space "
            "or choose another --out"
        ) from None
    known = {}
    if fmt == "csv":  # each CSV file is its table, byte for byte as its digest hashes it
        known[out.name] = report.digests["journal"].hexdigest()
        for table in report.tables:
            known[table_path(out, table.name).name] = report.digests[table.name].hexdigest()
    manifest = manifests.finish(manifests.core(report, fmt), final, known)
    data = manifests.encode(manifest)
    path = manifests.path_for(out)
    write_atomically(path, data.decode())
    return Produced(final, path, manifest, data)


def check_out(out: Path) -> None:
    """`out` names a file this process can write (its folder made when missing), or a clear
    error before anything is read."""
    if out.is_dir():
        raise ReportFormatError(
            f"--out {out} is a folder; name the report file in it, e.g. {out / 'report.csv'}"
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out.parent, prefix=f".{out.name}.")  # noqa: SIM115
        probe.close()
    except OSError as exc:
        raise ReportFormatError(
            f"cannot write the report in {out.parent} ({exc.strerror or exc}); choose another --out"
        ) from None


def _shared(engine: Engine) -> bool:
    """Whether another process can open the mirror (not an in-memory SQLite database)."""
    database = engine.url.database
    return engine.dialect.name != "sqlite" or bool(database and database != ":memory:")


@contextmanager
def _small_cache(conn: Connection) -> Iterator[None]:
    """A small SQLite page cache while the report reads (one pass in seq order: a large cache
    would only add to the resident memory), the connection's own afterwards."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{REPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before or 0)}")


def _write(
    engine: Engine,
    period: Period,
    fmt: str,
    out: Path,
    filters: dict[str, str] | None,
    rates: Rates | None,
    progress: Callable[[int], None] | None,
) -> tuple[Report, list[Path]]:
    """Write the report into a scratch directory (nothing half-written ever has the final name)."""
    with engine.connect() as conn, _small_cache(conn):
        context = resolve(conn, period, filters)
        if rates is not None:
            context = context.__class__(**{**context.__dict__, "rates_currency": rates.currency})
        sql_journal = fmt == "csv" and rates is None and _shared(engine)
        sql_journal = sql_journal and journaled(conn, context.first_seq, context.last_seq)
        report = Report(
            context,
            mirror_events(conn, context.last_seq),
            rates=rates,
            extra_tables=lambda ctx: attribution_tables(conn, ctx),
            progress=progress,
            sql_journal=engine if sql_journal else None,
        )
        return report, writer(fmt)(report, out, lambda: manifests.core(report, fmt))
