"""A minimal JSON-RPC client over one kept-alive HTTP connection, with batches.

web3.py adds validation and formatting per call that a benchmark driver does not need; this
posts raw JSON and returns the raw results.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit


class RpcError(RuntimeError):
    """The node answered a call with an error object."""


class Rpc:
    """Calls and batches of calls to one node."""

    def __init__(self, url: str, timeout: float = 300.0) -> None:
        parts = urlsplit(url)
        self.url = url
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._path = parts.path or "/"
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None
        self._next_id = 0

    def call(self, method: str, params: list[Any] | None = None) -> Any:
        """One call; an error answer raises RpcError."""
        return self.batch([(method, params or [])])[0]

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Several calls in one request; results in call order; any error raises."""
        if not calls:
            return []
        first = self._next_id
        self._next_id += len(calls)
        payload = [
            {"jsonrpc": "2.0", "id": first + i, "method": m, "params": p}
            for i, (m, p) in enumerate(calls)
        ]
        answers = self._post(payload)
        by_id = {a["id"]: a for a in (answers if isinstance(answers, list) else [answers])}
        results = []
        for i, (method, _) in enumerate(calls):
            answer = by_id.get(first + i)
            if answer is None or "error" in answer:
                error = answer.get("error") if answer else "no answer"
                raise RpcError(f"{method} failed: {error}")
            results.append(answer["result"])
        return results

    def close(self) -> None:
        """Drop the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _post(self, payload: object) -> Any:
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        for attempt in range(2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self._host, self._port, self._timeout)
            try:
                self._conn.request("POST", self._path, body, headers)
                return json.loads(self._conn.getresponse().read())
            except (ConnectionError, http.client.HTTPException):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")
