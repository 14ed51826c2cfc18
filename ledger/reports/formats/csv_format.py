"""CSV: the journal in the named file, each summary table beside it as `<stem>.<table>.csv`.

UTF-8 with a byte-order mark (so that spreadsheet programs read Chinese names right), comma
separated, a header row, formula-like text escaped (`safe`)."""

from __future__ import annotations

import csv
from pathlib import Path

from ledger.reports.build import Report
from ledger.reports.formats.safe import safe
from ledger.reports.formats.types import Manifest
from ledger.reports.tables import Table

ENCODING = "utf-8-sig"
_CURRENCY = 9  # the one journal column whose text comes from the chain unchecked


def table_path(main: Path, table: str) -> Path:
    """Where a summary table goes beside the journal file."""
    return main.with_name(f"{main.stem}.{table}.csv")


def write_table(path: Path, table: Table) -> None:
    """One summary table as its own CSV file."""
    with path.open("w", encoding=ENCODING, newline="") as f:
        w = csv.writer(f)
        w.writerow(table.columns)
        w.writerows([safe(v) for v in r] for r in table.rows)


def write(report: Report, out: Path, manifest: Manifest) -> list[Path]:
    """Stream the journal to `out`, then write the summary tables beside it."""
    with out.open("w", encoding=ENCODING, newline="") as f:
        w = csv.writer(f)
        w.writerow(report.journal_columns)
        writerow = w.writerow
        for r in report.journal():
            c = r[_CURRENCY]
            if c and c[0] in "=+-@\t\r'":
                writerow((*r[:_CURRENCY], safe(c), *r[_CURRENCY + 1 :]))
            else:
                writerow(r)
    files = [out]
    for table in report.tables:
        path = table_path(out, table.name)
        write_table(path, table)
        files.append(path)
    return files
