"""Exchange rates an auditor supplies (`--rates rates.csv`); never a guessed rate.

The file has a header and the columns `date` (YYYY-MM-DD), `currency` (ISO 4217) and `rate`
(units of the target currency for one unit of `currency`, a decimal). An amount is converted with
the rate of its currency dated on its day, or else the latest one before it; with none, the
converted cell stays empty. Amounts already in the target currency are converted at 1.
"""

from __future__ import annotations

import bisect
import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ledger.chain.currencies import exponent
from ledger.errors import AidLedgerError


class RatesFileError(AidLedgerError):
    """The rates file cannot be used as it is."""


@dataclass
class Rates:
    """Rates per currency, sorted by date."""

    currency: str
    table: dict[str, tuple[list[str], list[Decimal]]] = field(default_factory=dict)

    def convert(self, day: str, currency: str, amount: object) -> tuple[str, str, str]:
        """(rate date, rate, converted amount in the target's major units) or three blanks."""
        if not currency or not isinstance(amount, int):
            return "", "", ""
        if currency == self.currency:
            rate_day, rate = day, Decimal(1)
        else:
            days, rates = self.table.get(currency, ([], []))
            i = bisect.bisect_right(days, day)
            if i == 0:
                return "", "", ""
            rate_day, rate = days[i - 1], rates[i - 1]
        major = Decimal(amount).scaleb(-exponent(currency)) * rate
        places = Decimal(1).scaleb(-exponent(self.currency))
        return rate_day, str(rate), str(major.quantize(places))


def load_rates(path: Path, currency: str) -> Rates:
    """Read and check the whole file; every bad row is reported at once."""
    if not path.is_file():
        raise RatesFileError(f"no rates file at {path}; give a CSV with date,currency,rate")
    problems: list[str] = []
    rows: dict[str, dict[str, Decimal]] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = {"date", "currency", "rate"} - set(reader.fieldnames or ())
        if missing:
            raise RatesFileError(
                f"{path}: the header lacks {', '.join(sorted(missing))}; "
                "the first line must be date,currency,rate"
            )
        for n, r in enumerate(reader, start=2):
            try:
                day = date.fromisoformat((r["date"] or "").strip()).isoformat()
            except ValueError:
                problems.append(f"row {n}: date {r['date']!r} is not YYYY-MM-DD")
                continue
            code = (r["currency"] or "").strip().upper()
            if len(code) != 3 or not code.isalpha():
                problems.append(f"row {n}: currency {r['currency']!r} is not an ISO 4217 code")
                continue
            try:
                rate = Decimal((r["rate"] or "").strip())
            except InvalidOperation:
                rate = Decimal(-1)
            if not rate.is_finite() or rate <= 0:
                problems.append(f"row {n}: rate {r['rate']!r} is not a positive number")
                continue
            if day in rows.setdefault(code, {}):
                problems.append(f"row {n}: a second rate for {code} on {day}")
                continue
            rows[code][day] = rate
    if problems:
        raise RatesFileError(
            f"{path} has {len(problems)} bad row(s); fix them and run again:\n  "
            + "\n  ".join(problems[:50])
        )
    table = {code: (sorted(days), [days[d] for d in sorted(days)]) for code, days in rows.items()}
    return Rates(currency.upper(), table)
