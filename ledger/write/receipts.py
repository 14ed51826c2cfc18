"""Receipt codes: the donor's secret, from which the gift's donor commitment is derived.

A code is 160 random bits written as 32 Crockford base32 characters plus 4 check characters,
in nine groups of four: `7K3M-Q9XD-...`. The 36-character string, read as one base-32
number, is a multiple of the prime 1,048,573 (2^20 - 3), so any single mistyped character and
any swap of two neighbours is caught (docs/intake.md, "Receipt codes"). Reading is forgiving:
any case, spaces and dashes anywhere, and I/L read as 1, O as 0, as Crockford's alphabet intends.

The donor commitment is `ledger.chain.ids.donor_commitment("", salt)` with
`salt = keccak256("aidledger-receipt" || secret)`: the code alone gives it, so `trace CODE`
finds the gift in the mirror, and nothing on chain reveals the code or the donor.
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass
from pathlib import Path

import segno
from eth_utils import keccak

from ledger.chain.ids import donor_commitment
from ledger.errors import AidLedgerConfigError, AidLedgerValueError
from ledger.files import write_atomically

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
SECRET_BYTES = 20  # 160 bits
DATA_CHARS = 32  # 160 / 5
CHECK_CHARS = 4
PRIME = 1_048_573  # the largest prime below 32**4 (2**20 - 3): the check fits in four
GROUP = 4
_VALUES = {c: i for i, c in enumerate(ALPHABET)} | {"I": 1, "L": 1, "O": 0}
SALT_DOMAIN = b"aidledger-receipt"


class ReceiptCodeError(AidLedgerValueError):
    """A receipt code that is not one: wrong length, a character outside the alphabet, a typo."""


def _number(digits: str) -> int:
    value = 0
    for char in digits:
        value = value * 32 + _VALUES[char]
    return value


def _digits(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        value, rest = divmod(value, 32)
        out.append(ALPHABET[rest])
    return "".join(reversed(out))


def check_characters(data: str) -> str:
    """The four characters that make `data` + them a multiple of PRIME as a base-32 number."""
    shifted = _number(data) * 32**CHECK_CHARS
    return _digits(-shifted % PRIME, CHECK_CHARS)


@dataclass(frozen=True)
class ReceiptCode:
    """A receipt code: its 160-bit secret; `str()` is the printed form."""

    secret: bytes

    def __post_init__(self) -> None:
        if len(self.secret) != SECRET_BYTES:
            raise ReceiptCodeError(f"a receipt code holds {SECRET_BYTES} bytes of secret")

    @classmethod
    def new(cls) -> ReceiptCode:
        """A fresh code from the operating system's random source."""
        return cls(secrets.token_bytes(SECRET_BYTES))

    @classmethod
    def parse(cls, text: str) -> ReceiptCode:
        """Read a code as a person types it; a typo raises ReceiptCodeError saying so."""
        compact = "".join(text.split()).replace("-", "").upper()
        wrong = sorted({c for c in compact if c not in _VALUES})
        if wrong:
            raise ReceiptCodeError(
                f"receipt code {text.strip()!r} has {', '.join(map(repr, wrong))}, which no "
                f"receipt code contains: codes use 0-9 and A-Z without I, L, O and U"
            )
        size = DATA_CHARS + CHECK_CHARS
        if len(compact) != size:
            raise ReceiptCodeError(
                f"receipt code {text.strip()!r} has {len(compact)} characters, not {size}: "
                "copy it again from the receipt"
            )
        if _number(compact) % PRIME:
            raise ReceiptCodeError(
                f"receipt code {text.strip()!r} has a typo (its check characters do not match): "
                "compare it character by character with the receipt"
            )
        secret = _number(compact[:DATA_CHARS]).to_bytes(SECRET_BYTES, "big")
        return cls(secret)

    def __str__(self) -> str:
        data = _digits(int.from_bytes(self.secret, "big"), DATA_CHARS)
        whole = data + check_characters(data)
        return "-".join(whole[i : i + GROUP] for i in range(0, len(whole), GROUP))

    @property
    def salt(self) -> bytes:
        """keccak256("aidledger-receipt" || secret): the salt of the donor commitment."""
        return keccak(SALT_DOMAIN + self.secret)

    @property
    def commitment(self) -> bytes:
        """The donor commitment recorded with the gift: donor_commitment("", salt)."""
        return donor_commitment("", self.salt)

    def qr_svg(self, scale: int = 4) -> str:
        """The code as a QR code, an SVG document (it encodes the printed form)."""
        out = io.BytesIO()
        self._qr().save(out, kind="svg", scale=scale, xmldecl=False)
        return out.getvalue().decode()

    def qr_png(self, scale: int = 4) -> bytes:
        """The code as a QR code, PNG bytes."""
        out = io.BytesIO()
        self._qr().save(out, kind="png", scale=scale)
        return out.getvalue()

    def _qr(self) -> segno.QRCode:
        # QR's alphanumeric mode holds 0-9, A-Z and '-' compactly; error correction level M.
        return segno.make_qr(str(self), error="m")


@dataclass(frozen=True)
class ReceiptBook:
    """The codes handed out by `gift add` and `inkind add`: `<data dir>/receipt-codes.csv`.

    A code is written here (atomically, owner-only: codes are the donors' secrets, and the
    file starts with a BOM so spreadsheets read it as UTF-8) before its gift is sent, and a
    retry with the same source record gets the same code back: never lost, never replaced.
    """

    path: Path

    def codes(self) -> dict[tuple[str, str], ReceiptCode]:
        """(kind, source) -> code."""
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise AidLedgerConfigError(f"cannot read {self.path} ({exc.strerror})") from None
        book = {}
        for number, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):
            try:
                book[(row["kind"], row["source"])] = ReceiptCode.parse(row["receipt_code"])
            except (KeyError, ReceiptCodeError) as exc:
                raise ReceiptCodeError(
                    f"{self.path} row {number} is not a receipt book row ({exc}); it holds the "
                    "codes donors were given: restore it from a backup rather than edit it"
                ) from None
        return book

    def code_for(self, kind: str, source: str) -> ReceiptCode:
        """The code of (kind, source): the one kept, else a new one, kept before returning."""
        book = self.codes()
        code = book.get((kind, source))
        if code is None:
            code = ReceiptCode.new()
            book[(kind, source)] = code
            self._save(book)
        return code

    def _save(self, book: dict[tuple[str, str], ReceiptCode]) -> None:
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(("kind", "source", "receipt_code"))
        writer.writerows((kind, source, str(code)) for (kind, source), code in book.items())
        try:
            write_atomically(self.path, "\ufeff" + out.getvalue(), mode=0o600)
        except OSError as exc:
            raise AidLedgerConfigError(
                f"cannot keep the receipt code in {self.path} ({exc.strerror}); nothing was "
                "sent: make the data directory writable"
            ) from None
