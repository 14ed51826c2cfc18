"""Polling filters (eth_newFilter, eth_newBlockFilter, eth_getFilterChanges)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from devnet.errors import RpcError
from devnet.logindex import LogFilter

FILTER_NOT_FOUND = -32000


@dataclass
class LogWatch:
    """A log filter: its conditions, range, and what arrived since the last poll."""

    condition: LogFilter
    from_block: int | None
    to_block: int | None
    changes: list[dict[str, Any]] = field(default_factory=list)

    def accepts(self, log: dict[str, Any]) -> bool:
        """Whether `log` belongs to this filter."""
        number = int(log["blockNumber"], 16)
        if self.from_block is not None and number < self.from_block:
            return False
        if self.to_block is not None and number > self.to_block:
            return False
        return self.condition.matches(log)


@dataclass
class BlockWatch:
    """A block filter: hashes of blocks mined since the last poll."""

    changes: list[str] = field(default_factory=list)


class Filters:
    """Installed filters by id; fed by the node after each block or rewind."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._filters: dict[str, LogWatch | BlockWatch] = {}

    def install(self, watch: LogWatch | BlockWatch) -> str:
        """Register `watch`; return its id."""
        filter_id = hex(next(self._ids))
        self._filters[filter_id] = watch
        return filter_id

    def uninstall(self, filter_id: str) -> bool:
        """Remove a filter; False when it did not exist."""
        return self._filters.pop(filter_id, None) is not None

    def get(self, filter_id: str) -> LogWatch | BlockWatch:
        """The filter `filter_id`, or -32000 "filter not found"."""
        watch = self._filters.get(filter_id)
        if watch is None:
            raise RpcError(FILTER_NOT_FOUND, "filter not found")
        return watch

    def drain(self, filter_id: str) -> list[Any]:
        """What changed since the last poll."""
        watch = self.get(filter_id)
        changes: list[Any] = watch.changes
        watch.changes = []
        return changes

    def on_block(self, block_hash: str, logs: list[dict[str, Any]]) -> None:
        """Feed a new block (or the removed logs of a rewind, with an empty hash)."""
        for watch in self._filters.values():
            if isinstance(watch, BlockWatch):
                if block_hash:
                    watch.changes.append(block_hash)
            else:
                watch.changes.extend(log for log in logs if watch.accepts(log))
