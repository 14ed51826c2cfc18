"""One disagreement between the mirror and the chain, as `aidledger verify` reports it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Difference:
    """Where (`table` and `key`), the two values, and the event that made the chain's value
    (`event`: name, seq and transaction; empty for a whole-table diff or a total)."""

    table: str
    key: str
    mirror: Any
    chain: Any
    event: str = ""

    def __str__(self) -> str:
        where = f"{self.event}: " if self.event else ""
        return f"{where}{self.table} {self.key}: mirror={self.mirror!r} chain={self.chain!r}"
