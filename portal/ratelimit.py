"""A per-address rate limit (token bucket, in this process) for pages that take secrets or work.

Receipt codes are secrets: /trace answers a few tries a minute per client address, so nobody
can try codes in bulk. A report download reads the whole ledger: /reports/download answers a
few a minute per address. Each worker process keeps its own buckets (a limit per process).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

MAX_ADDRESSES = 100_000  # forget everyone past this many (a flood of addresses cannot grow memory)


class RateLimit:
    """`per_minute` tries per key, refilled continuously."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Take one try for `key`; False when none is left."""
        now = self.clock()
        with self._lock:
            if len(self._buckets) >= MAX_ADDRESSES:
                self._buckets.clear()
            tokens, then = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            return allowed
