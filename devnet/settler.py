"""Instamine blocks mined right after the sender has its answer, and the next one prepared.

`eth_sendTransaction` and `eth_sendRawTransaction` answer with the hash once the
transaction passed the admission checks (as geth and anvil do); the block is mined on the
loop just after that answer is written, while the client reads it, in phases
(`DevChain.mining`): one per loop pass, so an `eth_chainId` arriving meanwhile waits for a
phase, not for the block. Any request that reads the chain and gets to the dispatcher
first finishes the block itself (`Node.settle`), so no client sees the chain without it.
After the block, the next block's VM and the state calls run on are prepared
(`Node.preparation`), one step per loop pass, requests that arrived in between first.

A worker thread would let the loop answer during mining too, but py-evm holds the GIL: with
a short switch interval the hand-overs cost more CPU than they saved, and with the default
one the loop waits for the block anyway (measured: more CPU a transaction, no more tx/s).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from devnet.node import Node

log = logging.getLogger("devnet.settler")


class Settler:
    """Schedules mining and preparation on the running loop, one job per pass."""

    def __init__(self, node: Node) -> None:
        self._node = node
        self._scheduled = False
        self._steps: list[Callable[[], None]] = []

    def kick(self) -> None:
        """Mine accepted transactions and prepare the next block, after this answer."""
        node = self._node
        if not self._scheduled and (node.due or self._steps or node.unprepared):
            self._scheduled = True
            # a timer, not call_soon: asyncio runs due timers after the I/O callbacks of the
            # same pass, so a request that arrived during a phase goes before the next one
            asyncio.get_running_loop().call_later(0, self._work)

    def _work(self) -> None:
        self._scheduled = False
        try:
            if self._node.due:
                self._node.step()  # one phase; static requests may be answered in between
            elif self._steps:
                self._steps.pop(0)()
            else:
                self._steps = self._node.preparation()
        except Exception:
            log.exception("mining or preparing failed")
            self._steps = []
        self.kick()
