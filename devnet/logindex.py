"""The devnet's own log index: per block, its logs as ready-made JSON, keyed by number.

Keys sort by block number, so a range query is one ordered scan of the store. Entries
are written in the same flush as their block and deleted when a block leaves the
canonical chain (revert, reorg), so the index never disagrees with the chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from devnet.db import DiskDB
from devnet.errors import LIMIT_EXCEEDED, RpcError

PREFIX = b"devnet:logs:"


def key(number: int) -> bytes:
    """The store key of block `number`'s logs."""
    return PREFIX + number.to_bytes(8, "big")


@dataclass(frozen=True)
class LogFilter:
    """Addresses (any of) and topic positions (each None = any, else any of the set)."""

    addresses: frozenset[str] | None
    topics: tuple[frozenset[str] | None, ...]

    def matches(self, log: dict[str, Any]) -> bool:
        """Whether `log` passes the address and topic conditions."""
        if self.addresses is not None and log["address"] not in self.addresses:
            return False
        topics = log["topics"]
        for position, wanted in enumerate(self.topics):
            if wanted is None:
                continue
            if position >= len(topics) or topics[position] not in wanted:
                return False
        return True


def write(db: DiskDB, number: int, logs: list[dict[str, Any]]) -> None:
    """Buffer block `number`'s logs (written with the block's flush)."""
    if logs:
        db[key(number)] = orjson.dumps(logs)


def block_logs(db: DiskDB, number: int) -> list[dict[str, Any]]:
    """The logs of block `number` (empty when none)."""
    try:
        raw = db[key(number)]
    except KeyError:
        return []
    result: list[dict[str, Any]] = orjson.loads(raw)
    return result


def remove(db: DiskDB, number: int) -> list[dict[str, Any]]:
    """Delete block `number`'s logs, returning them."""
    found = block_logs(db, number)
    if found:
        del db[key(number)]
    return found


def scan(db: DiskDB, first: int, last: int) -> Iterator[list[dict[str, Any]]]:
    """The log lists of blocks first..last (inclusive) that have logs, in order."""
    for _, raw in db.iterate(key(first), key(last + 1)):
        yield orjson.loads(raw)


def query(
    blocks: Iterable[list[dict[str, Any]]], flt: LogFilter, limit: int
) -> list[dict[str, Any]]:
    """Matching logs in order; more than `limit` raises -32005 naming the limit."""
    out: list[dict[str, Any]] = []
    for logs in blocks:
        out.extend(log for log in logs if flt.matches(log))
        if len(out) > limit:
            raise RpcError(
                LIMIT_EXCEEDED,
                f"query returned more than {limit} results; narrow the block range",
                {"limit": limit},
            )
    return out
