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
_ARGS = 15  # the JSON column


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
        write_line, writerow = f.write, w.writerow
        for r in report.journal():
            c = r[_CURRENCY]
            if c and c[0] in "=+-@\t\r'":
                r = (*r[:_CURRENCY], safe(c), *r[_CURRENCY + 1 :])  # noqa: PLW2901
            # The fast path writes what csv.writer would: only the JSON is quoted, unless a
            # chain-supplied value in the other columns needs quoting too (then csv does it).
            head = ",".join(map(str, r[:_ARGS]))
            if head.count(",") != _ARGS - 1 or '"' in head or "\n" in head or "\r" in head:
                writerow(r)
                continue
            tail = "," + ",".join(map(str, r[_ARGS + 1 :])) if len(r) > _ARGS + 1 else ""
            write_line(head + ',"' + r[_ARGS].replace('"', '""') + '"' + tail + "\r\n")
    files = [out]
    for table in report.tables:
        path = table_path(out, table.name)
        write_table(path, table)
        files.append(path)
    return files
