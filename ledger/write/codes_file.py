"""The codes file of a statement import: the receipt codes, kept before anything is sent.

It is the mail-merge list (payer, amount, code) and the source of truth for codes: a re-run
reads it back, so a line keeps its code. Written atomically, owner-only, UTF-8 with a BOM.
One import at a time holds it (`codes_lock`).
"""

from __future__ import annotations

import csv
import fcntl
import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ledger.errors import AidLedgerConfigError, AidLedgerError, AidLedgerValueError
from ledger.files import write_atomically
from ledger.write.money import exponent
from ledger.write.receipts import ReceiptCode, ReceiptCodeError
from ledger.write.statement import Statement, StatementRow

CODES_HEADER = (
    "row",
    "date",
    "amount",
    "currency",
    "reference",
    "payer",
    "receipt_code",
    "gift_id",
    "status",
    "tx_hash",
)


class ImportBusyError(AidLedgerError):
    """Another import holds the codes file; nothing was sent."""


@dataclass(frozen=True)
class CodedRow:
    """A statement row with its gift id, receipt code and what became of it."""

    row: StatementRow
    gift_id: bytes
    code: ReceiptCode | None  # None: on chain from an earlier run whose codes file is gone
    status: str  # 'to record', 'recorded', 'already on chain'
    tx_hash: str = ""


@contextmanager
def codes_lock(codes_path: Path) -> Iterator[None]:
    """One import at a time per codes file (two would hand out two codes for one line)."""
    path = codes_path.with_name(f".{codes_path.name}.lock")
    try:
        handle = path.open("w")
    except OSError as exc:
        raise AidLedgerConfigError(
            f"cannot write beside the codes file {codes_path} ({exc.strerror}); nothing was "
            "sent: choose another place with --codes"
        ) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportBusyError(
                f"another import is using the codes file {codes_path}; wait for it to finish, "
                "then run this one again (it records only what is missing)"
            ) from None
        yield


def plain_amount(minor: int, currency: str) -> str:
    """Minor units as a plain decimal for the mail merge, e.g. '1234.56'."""
    return f"{Decimal(minor).scaleb(-exponent(currency)):f}"


def default_codes_path(statement: Path) -> Path:
    """`march.csv` -> `march.codes.csv` beside it."""
    return statement.with_name(statement.stem + ".codes.csv")


def _codes_lines(path: Path) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise AidLedgerConfigError(f"cannot read the codes file {path}: {exc.strerror}") from None
    return list(csv.DictReader(io.StringIO(text, newline="")))


def recorded_txs(path: Path) -> dict[str, str]:
    """Reference -> the transaction that recorded it, from a codes file of an earlier run."""
    return {
        line["reference"]: line["tx_hash"]
        for line in _codes_lines(path)
        if line.get("tx_hash") and line.get("reference")
    }


def read_codes(path: Path) -> dict[str, ReceiptCode]:
    """Reference -> receipt code from a codes file of an earlier run (none if there is none)."""
    codes: dict[str, ReceiptCode] = {}
    for number, line in enumerate(_codes_lines(path), start=2):
        if not line.get("receipt_code"):
            continue
        try:
            codes[line["reference"]] = ReceiptCode.parse(line["receipt_code"])
        except (ReceiptCodeError, KeyError) as exc:
            raise AidLedgerValueError(
                f"{path} row {number} is not a codes file row ({exc}); it is the source of the "
                "receipt codes of recorded gifts: restore it rather than edit it"
            ) from None
    return codes


def _status(row: CodedRow) -> str:
    """The codes file's status: 'recorded' (with its tx), 'to record', or on chain otherwise."""
    if row.code is None:
        return "on chain; its code is not in this file"
    return "recorded" if row.tx_hash else row.status


def other_lines(path: Path, statement: Statement) -> list[dict[str, str]]:
    """Lines of the codes file that are not this statement's (a file shared by several
    statements): they are written back unchanged, first, so no code is ever dropped."""
    mine = {r.reference for r in statement.rows}
    return [line for line in _codes_lines(path) if line.get("reference") not in mine]


def write_codes(
    path: Path, rows: list[CodedRow], carried: Sequence[Mapping[str, str]] = ()
) -> None:
    """Write the codes file atomically and durably (UTF-8 with BOM, for spreadsheets)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CODES_HEADER)
    for line in carried:
        writer.writerow(line.get(column, "") for column in CODES_HEADER)
    for r in rows:
        s = r.row
        writer.writerow(
            (
                s.row,
                s.date.isoformat(),
                plain_amount(s.amount, s.currency),
                s.currency,
                s.reference,
                s.payer,
                str(r.code) if r.code else "",
                "0x" + r.gift_id.hex(),
                _status(r),
                r.tx_hash,
            )
        )
    try:
        # owner-only (payer names, codes); a BOM so spreadsheets read it as UTF-8
        write_atomically(path, "\ufeff" + out.getvalue(), mode=0o600)
    except OSError as exc:
        raise AidLedgerConfigError(
            f"cannot write the codes file {path}: {exc.strerror}; nothing was sent: "
            "choose another place with --codes"
        ) from None
