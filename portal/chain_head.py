"""The chain head from the node's JSON-RPC (`eth_blockNumber`), when the portal is given one.

Optional: without an RPC URL, or when the node does not answer within a second, the portal
shows what the mirror knows and says it could not compare. Cached for a few seconds per process
so pages do not each ask the node.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import requests

TTL_SECONDS = 5.0
TIMEOUT_SECONDS = 1.0


class ChainHead:
    """Reads and caches the head block number of one node."""

    def __init__(self, rpc_url: str | None) -> None:
        self.rpc_url = rpc_url
        self._clock = time.monotonic
        self._lock = threading.Lock()
        self._value: int | None = None
        self._read_at = float("-inf")

    def block(self) -> int | None:
        """The node's head block, or None (no node configured, or it did not answer)."""
        if self.rpc_url is None:
            return None
        with self._lock:
            now = self._clock()
            if now - self._read_at >= TTL_SECONDS:
                self._value = self._ask(self.rpc_url)
                self._read_at = now
            return self._value

    @staticmethod
    def _ask(url: str) -> int | None:
        body: dict[str, Any] = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "eth_blockNumber",
            "params": [],
        }
        try:
            answer = requests.post(url, json=body, timeout=TIMEOUT_SECONDS).json()
            return int(answer["result"], 16)
        except (requests.RequestException, ValueError, KeyError, TypeError):
            return None
