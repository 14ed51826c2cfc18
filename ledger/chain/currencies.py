"""ISO 4217 minor units: the chain keeps amounts as integers of a currency's minor unit."""

from __future__ import annotations

# ISO 4217 minor-unit digits where they are not 2.
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "JOD": 3}


def exponent(currency: str) -> int:
    """Digits after the decimal point of `currency` (2 unless ISO 4217 says otherwise)."""
    return _EXPONENTS.get(currency.upper(), 2)
