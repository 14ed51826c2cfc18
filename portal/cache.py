"""Results that sum whole tables, kept per mirror head (one cache per worker process).

The overview adds up every pool, allocation, lot and need: at a million events that is tens of
milliseconds per request, although the answer only changes when the indexer commits a batch.
`HeadCache` keeps such results keyed on the mirror position they were read at (seq and ledger
head; a reorg changes the head at the same seq). The first request that sees a new position
drops everything kept for the old one, so nothing outlives the head it was computed at.
Concurrent requests for the same missing entry compute it once: the others wait for it.
A result that also depends on the clock says until when it holds (`fresh`), and is computed
again after that, at the same head.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from ledger.queries.models import Position

V = TypeVar("V")


class HeadCache:
    """Values keyed on (mirror position, key); a new position empties the cache."""

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._at: tuple[int, str | None] | None = None
        self._values: dict[Hashable, Any] = {}
        self._computing: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(
        self,
        at: Position,
        key: Hashable,
        compute: Callable[[], V],
        fresh: Callable[[V], bool] | None = None,
    ) -> V:
        """The value of `key` at position `at`, computed by `compute()` the first time (and
        again when `fresh(value)` says the kept one no longer holds).

        `compute` must read at `at` (the caller's session is at that position), so what it
        returns is what any request at that position would compute.
        """
        head = (at.seq, at.head)
        with self._lock:
            if head != self._at:
                self._at, self._values, self._computing = head, {}, {}
            if key in self._values and (fresh is None or fresh(self._values[key])):
                return self._values[key]  # type: ignore[no-any-return]
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if self._at == head and key in self._values:
                    value = self._values[key]
                    if fresh is None or fresh(value):
                        return value  # type: ignore[no-any-return]
            value = compute()
            with self._lock:
                if self._at == head:
                    self._values.pop(key, None)
                    if len(self._values) >= self.max_entries:
                        self._values.pop(next(iter(self._values)))
                    self._values[key] = value
                    self._computing.pop(key, None)
        return value
