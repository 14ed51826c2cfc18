"""Bank statements as CSV: decode, map columns, validate every row before anything is written.

A statement is read whole and checked whole: `read_statement` either returns every good row (and
the rows repeated within the file, to skip) or raises `StatementError` listing each bad row with
its row number, column, problem and what to do. Accepted: UTF-8 (with or without BOM) and
GB18030; amounts in either decimal convention with thousands separators (`ledger.write.money`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from eth_utils import keccak

from ledger.chain.bindings import MAX_VALUE
from ledger.chain.ids import currency_code
from ledger.errors import AidLedgerConfigError, AidLedgerValueError
from ledger.write.money import parse_amount

FIELDS = ("date", "amount", "currency", "reference", "payer")
REQUIRED = ("date", "amount", "reference")
ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig reads plain UTF-8 too
_DATE = re.compile(r"(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})")


@dataclass(frozen=True)
class Columns:
    """Which header names the statement's columns have, per field (mapping configurable)."""

    date: str = "date"
    amount: str = "amount"
    currency: str = "currency"
    reference: str = "reference"
    payer: str = "payer"

    def header(self, field_name: str) -> str:
        """The header of `field_name`."""
        return str(getattr(self, field_name))


@dataclass(frozen=True)
class StatementRow:
    """One good statement line; `row` is its line number in the file (the header is row 1)."""

    row: int
    date: date
    amount: int
    currency: str
    reference: str
    payer: str

    def canonical(self) -> str:
        """The row as hashed for evidence: date, currency, minor units, reference (no payer)."""
        parts = ("aidledger-statement-row", self.date.isoformat(), self.currency)
        return "\x1f".join((*parts, str(self.amount), self.reference))

    @property
    def evidence_hash(self) -> bytes:
        """keccak256 of the canonical row."""
        return keccak(text=self.canonical())


@dataclass(frozen=True)
class Problem:
    """A bad cell: where, what is wrong, what to do."""

    row: int
    column: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}: {self.problem} — {self.fix}"


class StatementError(AidLedgerValueError):
    """A statement with bad rows: nothing was written. `problems` lists each."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        rows = len({p.row for p in problems})
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(
            f"{path}: {rows} bad row{'s' * (rows != 1)}, nothing was written; "
            f"fix them and run the import again:\n{lines}"
        )
        self.problems = problems


@dataclass
class Statement:
    """The good rows in file order, and rows that repeat an earlier one (row, earlier row)."""

    rows: list[StatementRow]
    duplicates: list[tuple[int, int]] = field(default_factory=list)
    encoding: str = "utf-8"


def decode(raw: bytes, path: Path) -> tuple[str, str]:
    """The text and the encoding it was read in (UTF-8 with or without BOM, else GB18030)."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AidLedgerValueError(
        f"{path} is neither UTF-8 nor GB18030 text; save the statement as CSV in UTF-8"
    )


def parse_date(text: str) -> date:
    """'2020-02-15', '2020/2/15', '2020.02.15' or '20200215'."""
    match = _DATE.fullmatch(text.strip())
    if match is None:
        raise AidLedgerValueError(f"date {text!r} is not year-month-day")
    return date(*(int(g) for g in match.groups()))


def read_statement(path: Path, columns: Columns, currency: str | None = None) -> Statement:
    """Read and validate the whole statement; raise StatementError listing every bad row.

    `currency` is the default for a statement without a currency column (or empty cells).
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AidLedgerConfigError(f"cannot read {path}: {exc.strerror}") from None
    text, encoding = decode(raw, path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    index = _index(path, header, columns, currency)
    rows: list[StatementRow] = []
    problems: list[Problem] = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue  # blank line
        row = _row(number, cells, index, columns, currency, problems)
        if row is not None:
            rows.append(row)
    statement = _dedupe(rows, columns, problems)
    if problems:
        raise StatementError(path, sorted(problems, key=lambda p: p.row))
    statement.encoding = encoding
    return statement


def _index(path: Path, header: list[str], columns: Columns, currency: str | None) -> dict[str, int]:
    where = {name: i for i, name in enumerate(header)}
    index = {f: where[columns.header(f)] for f in FIELDS if columns.header(f) in where}
    needed = [*REQUIRED, *(() if currency else ("currency",))]
    missing = [columns.header(f) for f in needed if f not in index]
    if missing:
        raise AidLedgerValueError(
            f"{path} has no column {', '.join(map(repr, missing))} (its header: "
            f"{', '.join(header) or 'empty'}); map the columns with --column FIELD=HEADER"
            + ("" if currency else " or give --currency for a statement in one currency")
        )
    return index


def _row(
    number: int,
    cells: list[str],
    index: dict[str, int],
    columns: Columns,
    default_currency: str | None,
    problems: list[Problem],
) -> StatementRow | None:
    def cell(name: str) -> str:
        i = index.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    def bad(name: str, problem: str, fix: str) -> None:
        problems.append(Problem(number, columns.header(name), problem, fix))

    before = len(problems)
    code = cell("currency").upper() or (default_currency or "").upper()
    try:
        currency_code(code)
    except AidLedgerValueError:
        bad("currency", f"{code or 'empty'} is not a currency", "write an ISO 4217 code like CNY")
        code = ""
    day = amount = None
    try:
        day = parse_date(cell("date"))
    except (AidLedgerValueError, ValueError):
        bad("date", f"{cell('date')!r} is not a date", "write it as year-month-day: 2020-02-15")
    try:
        amount = parse_amount(cell("amount"), code) if code else None
    except AidLedgerValueError as exc:
        bad("amount", str(exc), "write the amount received, like 1,234.56 or 1.234,56")
    if amount is not None and amount > MAX_VALUE:
        bad("amount", f"{cell('amount')} is more than the ledger holds", "check the amount")
        amount = None
    if not cell("reference"):
        bad("reference", "the bank reference is empty", "every line needs its bank reference")
    if len(problems) > before or day is None or amount is None:
        return None
    return StatementRow(number, day, amount, code, cell("reference"), cell("payer"))


def _dedupe(rows: list[StatementRow], columns: Columns, problems: list[Problem]) -> Statement:
    """Same reference and same content: a repeat to skip; same reference, other content: bad."""
    first: dict[str, StatementRow] = {}
    kept: list[StatementRow] = []
    duplicates: list[tuple[int, int]] = []
    for row in rows:
        earlier = first.get(row.reference)
        if earlier is None:
            first[row.reference] = row
            kept.append(row)
        elif earlier.canonical() == row.canonical() and earlier.payer == row.payer:
            duplicates.append((row.row, earlier.row))
        else:
            problems.append(
                Problem(
                    row.row,
                    columns.reference,
                    f"reference {row.reference!r} is also on row {earlier.row} with other values",
                    "a bank reference names one line: correct the reference or remove a line",
                )
            )
    return Statement(kept, duplicates)
