"""Wait for the next block: an `eth_subscribe("newHeads")` WebSocket where the node offers one,
polling `eth_blockNumber` otherwise."""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from types import TracebackType

from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

from ledger.chain.rpc import Rpc


def websocket_url(http_url: str) -> str:
    """The WebSocket URL of an HTTP JSON-RPC endpoint on the same port (anvil, geth, our devnet)."""
    if http_url.startswith("https://"):
        return "wss://" + http_url.removeprefix("https://")
    return "ws://" + http_url.removeprefix("http://")


class HeadWaiter:
    """`wait()` returns when a new head arrives or after `poll_interval` seconds."""

    def __init__(self, rpc: Rpc, poll_interval: float = 1.0) -> None:
        self.rpc = rpc
        self.poll_interval = poll_interval
        self.mode = "polling"
        self._socket: ClientConnection | None = None
        self._stack = ExitStack()
        try:
            socket = self._stack.enter_context(
                connect(websocket_url(rpc.url), open_timeout=3, close_timeout=1)
            )
            request = {"jsonrpc": "2.0", "id": 1, "method": "eth_subscribe", "params": ["newHeads"]}
            socket.send(json.dumps(request))
            answer = json.loads(socket.recv(timeout=3))
            if "result" in answer:
                self._socket, self.mode = socket, "websocket"
            else:
                self._stack.close()
        except (OSError, WebSocketException, TimeoutError, ValueError):
            self._stack.close()

    def wait(self) -> None:
        """Block until the node announces a head (WebSocket) or the poll interval passes."""
        if self._socket is None:
            time.sleep(self.poll_interval)
            return
        try:
            self._socket.recv(timeout=max(self.poll_interval, 5.0))
        except TimeoutError:
            return
        except (OSError, WebSocketException):
            self.close()
            self.mode = "polling"

    def close(self) -> None:
        """Drop the subscription."""
        self._socket = None
        self._stack.close()

    def __enter__(self) -> HeadWaiter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
