"""Money as people type it and as the chain keeps it: integer minor units of an ISO 4217 code."""

from __future__ import annotations

import re
from decimal import Decimal

from ledger.chain.currencies import exponent
from ledger.errors import AidLedgerValueError

__all__ = ["exponent", "format_amount", "parse_amount"]


def parse_amount(text: str, currency: str) -> int:
    """'1,234.56' / '1.234,56' / '1 234,56' in `currency` -> minor units; never a float.

    A lone comma before exactly three digits ('1,234') groups thousands; a lone dot is always
    the decimal mark ('12.345' is twelve point three four five, refused in a currency with two
    decimals rather than read as twelve thousand). A grouped number starts with 1-9.
    """
    shape = re.sub(r"[\s'\u00a0]", "_", text.strip())  # thousands marks that are never decimal
    if not re.fullmatch(r"\d+([.,_]\d+)*", shape):
        raise AidLedgerValueError(
            f"amount {text!r} is not a number; write it like 1234.56 or 1,234.56"
        )
    mark = _decimal_mark(shape)
    whole, _, fraction = shape.rpartition(mark) if mark else (shape, "", "")
    groups = re.split(r"[.,_]", whole)
    if len(groups) > 1 and groups[0].startswith("0"):
        raise AidLedgerValueError(
            f"amount {text!r} is not a number: a comma or space groups thousands, so it cannot "
            "follow a leading 0; write decimals with a dot (0.5)"
        )
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        raise AidLedgerValueError(
            f"amount {text!r} is not a number: thousands are grouped by three (1,234,567.89)"
        )
    value = Decimal("".join(groups) + ("." + fraction if fraction else ""))
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        hint = ""
        if mark == "." and len(fraction) == 3 and not whole.startswith("0"):
            hint = f"; a dot is the decimal mark: for thousands write {''.join(groups)}{fraction}"
        raise AidLedgerValueError(
            f"amount {text!r} has more decimals than {currency} allows ({exponent(currency)})"
            + hint
        )
    if scaled <= 0:
        raise AidLedgerValueError(f"amount {text!r} must be more than zero")
    return int(scaled)


def _decimal_mark(shape: str) -> str | None:
    """The decimal mark of a number with separators, or None when all are thousands marks."""
    last = max(shape.rfind("."), shape.rfind(","))
    if last < 0:
        return None
    mark = shape[last]
    if shape.count(mark) > 1:
        return None  # '1,234,567' or '1.234.567'
    other = "," if mark == "." else "."
    if other in shape:
        return mark  # '1,234.56' or '1.234,56'
    # '1,234' thousands; '12,5' and '12.345' decimal
    return None if mark == "," and len(shape) - last - 1 == 3 else mark


def format_amount(minor: int, currency: str) -> str:
    """Minor units as '1,234.56 CNY'."""
    digits = exponent(currency)
    value = Decimal(minor).scaleb(-digits)
    return f"{value:,.{digits}f} {currency}"
