"""Load every row a batch will touch with one query per table, before its handlers run.

Without this, each handler's first look at a row made in an earlier batch is a round trip,
which on PostgreSQL costs more than all the batch's writes together. What to load is what each
handler declares beside itself (`@on(..., reads=...)` in `ledger/indexer/handlers/`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from ledger.indexer.handlers import READS, ZERO_ID
from ledger.indexer.handlers.base import Key
from ledger.indexer.prepare import Entry
from ledger.indexer.rows import Unit


def prefetch(unit: Unit, events: Sequence[Entry], args: Sequence[dict[str, Any]]) -> None:
    """Preload the rows and row groups that `events` refer to."""
    keys: dict[str, set[Any]] = defaultdict(set)
    groups: dict[tuple[str, str], set[Any]] = defaultdict(set)
    for event, a in zip(events, args, strict=True):
        for read in READS.get(event.name, ()):
            if isinstance(read, Key):
                if a[read.arg] != ZERO_ID:
                    keys[read.table].add(a[read.arg])
            else:
                groups[(read.table, read.column)].add(read.of(a))
    for table, values in keys.items():
        unit[table].preload(values)
    for (table, column), values in groups.items():
        unit[table].preload_groups(column, values)
