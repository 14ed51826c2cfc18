"""Instamine blocks mined in a worker thread once the sender has its answer.

`eth_sendTransaction` answers with the hash (as geth and anvil do); the block is mined
while the client reads that answer and makes its next request. While the worker mines,
the event loop answers only methods that never read the chain (`eth_chainId`, ...); every
other request waits until the block is durable, so no client sees the chain without it and
the chain still has one writer at a time. The interpreter's switch interval is lowered so
the loop gets the GIL within ~0.2 ms when such a request arrives.

After a block, while the client reads its receipt, the worker also prepares the next block's
VM and the state `eth_estimateGas` and `eth_call` run on (:meth:`Node.preparation`), one
step at a time with waiting requests answered in between.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from devnet.node import Node

log = logging.getLogger("devnet.settler")
SWITCH_INTERVAL = 0.0002  # seconds; CPython's default of 5 ms would delay cheap answers


class Settler:
    """Runs :meth:`Node.settle` and the preparation steps off the loop, one at a time."""

    def __init__(self, node: Node) -> None:
        self._node = node
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="devnet-miner")
        self._busy: asyncio.Future[None] | None = None
        self._waiting: list[Callable[[], None]] = []
        self._steps: list[Callable[[], None]] = []  # preparation for the next block
        sys.setswitchinterval(SWITCH_INTERVAL)

    @property
    def busy(self) -> bool:
        """Whether the worker is mining or preparing right now."""
        return self._busy is not None

    def kick(self) -> None:
        """Start mining accepted transactions, if any and not already mining."""
        if self._busy is None and self._node.due:
            self._run(self._node.settle)

    def _run(self, job: Callable[[], None]) -> None:
        self._busy = asyncio.get_running_loop().run_in_executor(self._worker, job)
        self._busy.add_done_callback(self._done)

    def on_idle(self, callback: Callable[[], None]) -> None:
        """Call `callback` on the loop once the worker is idle (now if it is)."""
        if self._busy is None:
            callback()
        else:
            self._waiting.append(callback)

    def _done(self, future: asyncio.Future[None]) -> None:
        self._busy = None
        if not future.cancelled() and future.exception() is not None:
            log.error("mining or preparing failed", exc_info=future.exception())
        waiting, self._waiting = self._waiting, []
        for callback in waiting:
            callback()
        if self._busy is None:
            self._steps = self._node.preparation() or self._steps
            if self._steps:  # one step at a time: waiting requests go first
                self._run(self._steps.pop(0))

    async def idle(self) -> None:
        """Wait until the worker has nothing to do."""
        while self._busy is not None:
            await asyncio.shield(self._busy)

    def close(self) -> None:
        """Stop the worker (after :meth:`idle`)."""
        self._worker.shutdown(wait=True)
