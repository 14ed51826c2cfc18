"""Cells that a spreadsheet would run as a formula are escaped (OWASP "CSV injection")."""

from __future__ import annotations

from typing import Any

# First characters that `safe` escapes: a formula's (= + - @ tab CR) and the escape's own.
ESCAPED = frozenset("=+-@\t\r'")


def safe(value: Any) -> Any:
    """A text starting with = + - @ tab or CR (or an apostrophe, so that the escape can be
    undone) gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value[:1] in ESCAPED:
        return "'" + value
    return "" if value is None else value


def unsafe(value: str) -> str:
    """The text `safe` escaped, back (for parsing a report)."""
    if value[:1] == "'" and value[1:2] in ESCAPED:
        return value[1:]
    return value
