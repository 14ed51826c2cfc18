"""Lower bounds for any indexer of this chain: the stages alone, in one Python process.

fetch: `eth_getLogs` over the whole range in 2,000-block spans plus the headers of the blocks
with logs (JSON-RPC batches of 500); decode: `ledger.chain.events.decode_log` on every log;
verify: `verify_sequence` (payload hash and head per event). An indexer that does all three in
series, single-threaded, cannot beat the sum; SQL and handlers come on top.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench._rpc import Rpc
from ledger.chain.deployment import Deployment
from ledger.chain.events import decode_log, verify_sequence

SPAN = 2_000
HEADER_BATCH = 500


@dataclass(frozen=True)
class Floors:
    """Seconds per stage for `events` events."""

    events: int
    fetch_logs: float
    fetch_headers: float
    decode: float
    verify: float
    kinds: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        """One line per stage with its rate."""
        stages = {
            "eth_getLogs": self.fetch_logs,
            "headers": self.fetch_headers,
            "decode (eth-abi)": self.decode,
            "hash-chain verify": self.verify,
        }
        return [
            f"  {name:<18} {seconds:>6.2f} s  {self.events / seconds:>9,.0f} events/s"
            for name, seconds in stages.items()
        ]

    def mix(self) -> str:
        """The share of each event kind, most frequent first."""
        return ", ".join(
            f"{name} {100 * n / self.events:.1f}%" for name, n in self.kinds.most_common()
        )


def measure(rpc_url: str, deployment: Deployment, last_block: int) -> Floors:
    """Time each stage over the deployment's blocks up to `last_block`."""
    rpc = Rpc(rpc_url)
    start = time.perf_counter()
    logs = _logs(rpc, deployment, last_block)
    fetched = time.perf_counter()
    numbers = sorted({int(log["blockNumber"], 16) for log in logs})
    for i in range(0, len(numbers), HEADER_BATCH):
        chunk = numbers[i : i + HEADER_BATCH]
        rpc.batch([("eth_getBlockByNumber", [hex(n), False]) for n in chunk])
    headed = time.perf_counter()
    decoded = [e for e in (decode_log(log) for log in logs) if e is not None]
    parsed = time.perf_counter()
    verified = sum(1 for _ in verify_sequence(decoded))
    done = time.perf_counter()
    rpc.close()
    kinds = Counter(e.name for e in decoded)
    return Floors(
        verified, fetched - start, headed - fetched, parsed - headed, done - parsed, kinds
    )


def _logs(rpc: Rpc, deployment: Deployment, last_block: int) -> list[dict[str, Any]]:
    addresses = [deployment.registry, deployment.fund_ledger, deployment.supply_ledger]
    logs: list[dict[str, Any]] = []
    for first in range(deployment.deployment_block, last_block + 1, SPAN):
        query = {
            "fromBlock": hex(first),
            "toBlock": hex(min(last_block, first + SPAN - 1)),
            "address": addresses,
        }
        logs.extend(rpc.call("eth_getLogs", [query]))
    return logs
