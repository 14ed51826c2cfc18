"""Fetch our logs in adaptive block ranges, with the block headers the batch needs.

The range grows while answers are small and halves when the node refuses it (too many
results, too large, timeout). Each batch also carries the header of the block before it, so the
caller can check that the checkpoint is still on the canonical chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger.chain.rpc import RangeRefusedError, Rpc, RpcTimeoutError
from ledger.errors import AidLedgerConnectionError


class ReorgDuringFetchError(AidLedgerConnectionError):
    """Logs and headers of one batch disagree: the chain changed while we read it; read again."""


@dataclass(frozen=True)
class Header:
    """What the indexer keeps of a block."""

    number: int
    hash: str
    parent_hash: str
    timestamp: int


@dataclass(frozen=True)
class Batch:
    """Logs of blocks `first..last` and headers of `first - 1`, `last` and blocks with logs."""

    first: int
    last: int
    logs: list[dict[str, Any]]
    headers: dict[int, Header]


def _header(raw: dict[str, Any] | None, number: int) -> Header:
    if raw is None:
        raise ReorgDuringFetchError(
            f"block {number} vanished while fetching; the chain reorganised"
        )
    return Header(number, raw["hash"], raw["parentHash"], int(raw["timestamp"], 16))


class LogFetcher:
    """Adaptive `eth_getLogs` over our contract addresses."""

    def __init__(
        self,
        rpc: Rpc,
        addresses: Sequence[str],
        initial_span: int = 2_000,
        max_span: int = 200_000,
        target_logs: int = 5_000,
    ) -> None:
        self.rpc = rpc
        self.addresses = list(addresses)
        self.span = initial_span
        self.max_span = max_span
        self.target_logs = target_logs
        self.refusals = 0

    def fetch(self, first: int, limit: int) -> Batch:
        """The next batch starting at `first`, ending at or before `limit`."""
        while True:
            last = min(limit, first + self.span - 1)
            try:
                logs = self.rpc.call(
                    "eth_getLogs", [self._filter(first, last)], retry_timeouts=False
                )
            except (RangeRefusedError, RpcTimeoutError):
                self.refusals += 1
                if last == first:
                    logs = self.rpc.call("eth_getLogs", [self._filter(first, last)])
                else:
                    self.span = max(1, (last - first + 1) // 2)
                    continue
            width = last - first + 1
            if len(logs) > self.target_logs:
                self.span = max(1, width * self.target_logs // len(logs))
            elif len(logs) < self.target_logs // 2 and width == self.span:
                self.span = min(self.max_span, self.span * 2)
            return Batch(first, last, logs, self._headers(first, last, logs))

    def _filter(self, first: int, last: int) -> dict[str, Any]:
        return {"fromBlock": hex(first), "toBlock": hex(last), "address": self.addresses}

    def _headers(self, first: int, last: int, logs: list[dict[str, Any]]) -> dict[int, Header]:
        numbers = sorted({first - 1, last} | {int(log["blockNumber"], 16) for log in logs})
        raws = self.rpc.batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
        headers = {n: _header(raw, n) for n, raw in zip(numbers, raws, strict=True)}
        for log in logs:
            if log.get("removed"):
                raise ReorgDuringFetchError(
                    "the node returned a removed log; the chain reorganised"
                )
            if headers[int(log["blockNumber"], 16)].hash != log["blockHash"]:
                raise ReorgDuringFetchError(
                    f"block {int(log['blockNumber'], 16)} changed while fetching; "
                    "the chain reorganised"
                )
        return headers
