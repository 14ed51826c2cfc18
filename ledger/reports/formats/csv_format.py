"""CSV: the journal in the named file, each summary table beside it as `<stem>.<table>.csv`.

UTF-8 with a byte-order mark (so that spreadsheet programs read Chinese names right), comma
separated, a header row, CRLF, formula-like text escaped (`tables.cell`). Each file's sha256 is
its table's digest in the manifest. Without a rates file, on a mirror whose events carry their
journal columns, the journal is written by SQL in a child process while this one folds the
events for the summary tables (`journal_sql.py`); otherwise row by row here.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ledger.reports import journal_sql
from ledger.reports.build import Report
from ledger.reports.formats.types import Manifest
from ledger.reports.tables import BOM, Row, Table, record

ENCODING = "utf-8-sig"  # for reading back: the byte-order mark is not part of the text


def table_path(main: Path, table: str) -> Path:
    """Where a summary table goes beside the journal file."""
    return main.with_name(f"{main.stem}.{table}.csv")


def _write_rows(path: Path, columns: tuple[str, ...], rows: Iterable[Row]) -> None:
    with path.open("w", encoding="utf-8", newline="", buffering=1 << 20) as f:
        f.write(BOM + record(columns))
        write = f.write
        for r in rows:
            write(record(r))


def write_table(path: Path, table: Table) -> None:
    """One summary table as its own CSV file."""
    _write_rows(path, table.columns, table.rows)


def write(report: Report, out: Path, manifest: Manifest) -> list[Path]:
    """Stream the journal to `out`, then write the summary tables beside it."""
    engine = report.sql_journal
    if engine is None:
        _write_rows(out, report.journal_columns, report.journal())
        return [out, *_write_tables(report, out)]
    ctx = report.context
    child = journal_sql.start(engine, ctx.first_seq, ctx.last_seq, ctx.names, ctx.filters, out)
    try:
        report.fold()
        tables = _write_tables(report, out)  # while the child may still be writing
        report.journal_written(child.wait())
    finally:
        child.stop()
    return [out, *tables]


def _write_tables(report: Report, out: Path) -> list[Path]:
    """Every summary table beside the journal."""
    files = []
    for table in report.tables:
        path = table_path(out, table.name)
        write_table(path, table)
        files.append(path)
    return files
