"""An HTTP load generator: N keep-alive connections running a fixed mix of GETs for a while.

Each connection is one asyncio task with aiohttp. Back to back, it sends its next request as
soon as the previous answer's body is read (a closed loop: the most the server can answer, with
latency = N / throughput). At a fixed rate, the connections share the rate evenly, each sending
on its own schedule, and a request's latency counts from when it was due, so a server that falls
behind shows it in its percentiles. Requests due during the warm-up are not counted.

With `revalidate`, every answer's ETag is remembered (one cache for all connections, as a
shared proxy or returning visitors would hold) and sent back as If-None-Match, so unchanged
pages come back as 304 without a body.
"""

from __future__ import annotations

import asyncio
import bisect
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate

import aiohttp

UrlOf = Callable[[random.Random], str]
GRACE = 5.0  # seconds past the window a fixed-rate run may take to send what was due in it


@dataclass(frozen=True)
class Kind:
    """One kind of request in the mix: a name, its share, and how to make its URL."""

    name: str
    weight: float
    url: UrlOf


@dataclass
class Stats:
    """What a load run measured."""

    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)  # kind -> seconds
    statuses: dict[int, int] = field(default_factory=dict)
    answered: int = 0  # answers that arrived inside the window
    errors: int = 0
    dropped: int = 0  # on a fixed schedule: requests never sent, the client being too far behind
    first_error: str = ""
    client_cpu: float = 0.0  # CPU seconds of the load generator during the measured window

    @property
    def requests(self) -> int:
        """Requests counted for latency: due inside the window (errors included)."""
        return sum(len(v) for v in self.latencies.values())

    @property
    def rate(self) -> float:
        """Answers per second (those that arrived inside the window)."""
        return self.answered / self.seconds if self.seconds else 0.0

    def record(self, kind: str, seconds: float, status: int, what: str) -> None:
        """One answer (status 0: none came); `what` describes it should it be an error."""
        self.latencies.setdefault(kind, []).append(seconds)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status not in (200, 304):
            self.errors += 1
            if not self.first_error:
                self.first_error = what

    def percentile(self, p: float, kind: str | None = None) -> float:
        """The `p`-th percentile latency in seconds (nearest rank), of one kind or all."""
        values = sorted(
            self.latencies.get(kind, [])
            if kind is not None
            else [x for v in self.latencies.values() for x in v]
        )
        if not values:
            return 0.0
        return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))]


async def _fetch(
    session: aiohttp.ClientSession, url: str, etags: dict[str, str] | None
) -> tuple[int, str]:
    """GET `url` and read its body: (status, "") or (0, what went wrong)."""
    headers = {"If-None-Match": etags[url]} if etags is not None and url in etags else {}
    try:
        async with session.get(url, headers=headers, allow_redirects=False) as response:
            await response.read()
            if etags is not None and "etag" in response.headers:
                etags[url] = response.headers["etag"]
            return response.status, ""
    except (TimeoutError, aiohttp.ClientError) as exc:
        return 0, f"{type(exc).__name__} {exc}"


async def _connection(
    session: aiohttp.ClientSession,
    base: str,
    kinds: list[Kind],
    cumulative: list[float],
    rng: random.Random,
    schedule: tuple[float, float, float, float | None],
    etags: dict[str, str] | None,
    stats: Stats,
) -> None:
    """One connection's requests: back to back, or every `interval` seconds from `first`.

    A request is counted when it was due (back to back: sent) inside the window, however late
    its answer comes, so slow answers are not left out; on a fixed schedule its latency is
    taken from when it was due, so time spent behind schedule counts (no coordinated omission).
    """
    first, start, end, interval = schedule
    total = cumulative[-1]
    k = 0
    while True:
        now = time.perf_counter()
        due = now if interval is None else first + k * interval
        k += 1
        if due >= end:
            return
        if interval is not None:
            if now > end + GRACE:
                stats.dropped += int((end - due) // interval) + 1  # never sent: far behind
                return
            if due > now:
                await asyncio.sleep(due - now)
        kind = kinds[bisect.bisect_right(cumulative, rng.random() * total)]
        url = kind.url(rng)
        status, error = await _fetch(session, base + url, etags)
        done = time.perf_counter()
        if start <= done < end:
            stats.answered += 1
        if due >= start:  # not warm-up
            what = f"{kind.name} {url}: {error or f'HTTP {status}'}"
            stats.record(kind.name, done - due, status, what)


async def _run(
    base: str,
    kinds: list[Kind],
    connections: int,
    seconds: float,
    warmup: float,
    rate: float | None,
    revalidate: bool,
    seed: int,
) -> Stats:
    stats = Stats(seconds=seconds)
    cumulative = list(accumulate(k.weight for k in kinds))
    etags: dict[str, str] | None = {} if revalidate else None
    connector = aiohttp.TCPConnector(limit=connections, limit_per_host=connections)
    timeout = aiohttp.ClientTimeout(total=60)
    interval = connections / rate if rate else None
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        first = time.perf_counter()
        start = first + warmup
        end = start + seconds

        def schedule(i: int) -> tuple[float, float, float, float | None]:
            phase = interval * i / connections if interval is not None else 0.0
            return (first + phase, start, end, interval)

        async def mark_cpu(marks: list[float]) -> None:
            for moment in (start, end):
                await asyncio.sleep(max(0.0, moment - time.perf_counter()))
                marks.append(time.process_time())

        marks: list[float] = []
        await asyncio.gather(
            mark_cpu(marks),
            *(
                _connection(session, base, kinds, cumulative, random.Random(seed * 1000 + i),
                            schedule(i), etags, stats)
                for i in range(connections)
            ),
        )  # fmt: skip
    if len(marks) == 2:
        stats.client_cpu = marks[1] - marks[0]
    return stats


def run_load(
    base: str,
    kinds: list[Kind],
    *,
    connections: int = 50,
    seconds: float = 30.0,
    warmup: float = 3.0,
    rate: float | None = None,
    revalidate: bool = False,
    seed: int = 1,
) -> Stats:
    """Run the mix against `base` over `connections` connections and count `seconds` after
    `warmup`: back to back (the most the server answers), or at `rate` requests per second
    spread evenly over the connections (latency at that load)."""
    return asyncio.run(_run(base, kinds, connections, seconds, warmup, rate, revalidate, seed))
