"""Waiting for heads: a newHeads subscription on nodes that offer one, polling elsewhere."""

from __future__ import annotations

import threading
import time

from ledger.chain.rpc import Rpc
from ledger.indexer.heads import HeadWaiter, websocket_url
from tests.contracts.helpers import give
from tests.contracts.world import World


def test_websocket_url_keeps_host_and_port() -> None:
    assert websocket_url("http://127.0.0.1:8545") == "ws://127.0.0.1:8545"
    assert websocket_url("https://rpc.example.org/v1") == "wss://rpc.example.org/v1"


def test_new_head_wakes_the_waiter_early(world: World, rpc: Rpc) -> None:
    with HeadWaiter(rpc, poll_interval=20.0) as waiter:
        assert waiter.mode == "websocket"
        timer = threading.Timer(0.3, lambda: give(world, 1))
        timer.start()
        started = time.monotonic()
        waiter.wait()
        timer.join()
        assert time.monotonic() - started < 10.0


def test_without_websocket_it_polls() -> None:
    rpc = Rpc("http://127.0.0.1:9", timeout=1)
    with HeadWaiter(rpc, poll_interval=0.05) as waiter:
        assert waiter.mode == "polling"
        started = time.monotonic()
        waiter.wait()
        assert 0.04 <= time.monotonic() - started < 2.0
