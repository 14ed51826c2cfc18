"""Block time: wall clock plus an offset (evm_increaseTime) and a one-shot override."""

from __future__ import annotations

import time


class Clock:
    """Chooses the timestamp of the next block."""

    def __init__(self) -> None:
        self.offset = 0
        self._next: int | None = None

    def now(self) -> int:
        """The node's current time in seconds."""
        return int(time.time()) + self.offset

    def increase(self, seconds: int, head: int) -> int:
        """Move time `seconds` past the later of now and the head's stamp `head`."""
        self.offset = max(self.offset, head - int(time.time())) + seconds
        return self.offset

    def set_next(self, timestamp: int) -> None:
        """Use `timestamp` for the next block; later blocks continue from it."""
        self._next = timestamp
        self.offset = timestamp - int(time.time())

    def peek(self, parent: int) -> int:
        """What :meth:`next_timestamp` would answer now, without using the override."""
        chosen = self._next if self._next is not None else self.now()
        return max(chosen, parent + 1)

    def next_timestamp(self, parent: int) -> int:
        """The timestamp of a block mined now on a parent stamped `parent`."""
        chosen = self._next if self._next is not None else self.now()
        self._next = None
        return max(chosen, parent + 1)
