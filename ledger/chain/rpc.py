"""A small JSON-RPC client for the indexer: timeouts, retries with backoff and jitter, batches.

It classifies node errors: a refused log range (too many results, range too large) is left to
the caller, which splits the range; rate limits, 5xx answers and dropped connections are retried.
"""

from __future__ import annotations

import itertools
import random
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import orjson
import requests

from ledger.config import check_rpc_url
from ledger.errors import AidLedgerConnectionError

_REFUSAL_WORDS = ("more than", "too many", "limit", "range", "exceed", "response size", "too large")
# Whatever the code (-32005, -32016, -32090, 429, ...): providers do not agree on one.
_RATE = re.compile(r"\brate\b|too many requests|capacity|throttl")


class RpcError(AidLedgerConnectionError):
    """The node answered with an error object."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class RangeRefusedError(RpcError):
    """The node refused a log query as too large; split the block range and ask again."""


class RpcTimeoutError(RpcError):
    """The node did not answer within the timeout."""


class _TransientError(RpcError):
    """Worth retrying as is: rate limit, 5xx, dropped connection."""


def classify(error: Any) -> RpcError:
    """Map a JSON-RPC error object to the exception the caller must handle."""
    if not isinstance(error, dict):  # out of protocol, e.g. a gateway's bare string or null
        return _TransientError(f"malformed JSON-RPC error {error!r}")
    code = error.get("code")
    message = str(error.get("message", ""))
    lowered = message.lower()
    if code == 429 or _RATE.search(lowered):
        return _TransientError(message, code)
    if any(w in lowered for w in _REFUSAL_WORDS) or code == -32005:
        return RangeRefusedError(message, code)
    if code == -32603 and "timeout" in lowered:
        return RpcTimeoutError(message, code)
    return RpcError(f"node error {code}: {message}", code)


class Rpc:
    """One HTTP JSON-RPC endpoint."""

    def __init__(
        self,
        url: str,
        timeout: float = 30.0,
        retries: int = 8,
        backoff: float = 0.2,
        max_backoff: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = check_rpc_url(url)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.sleep = sleep
        self.session = requests.Session()
        self._ids = itertools.count(1)

    def call(self, method: str, params: Sequence[Any], retry_timeouts: bool = True) -> Any:
        """One call; transient failures are retried, a refused range or final error raises."""
        (result,) = self.batch([(method, params)], retry_timeouts=retry_timeouts)
        return result

    def batch(
        self, calls: Sequence[tuple[str, Sequence[Any]]], retry_timeouts: bool = True
    ) -> list[Any]:
        """Many calls in one HTTP request; answers are matched by id, whatever their order."""
        for attempt in range(self.retries + 1):
            try:
                return self._send(calls)
            except RpcTimeoutError as exc:
                if not retry_timeouts:
                    raise
                if attempt == self.retries:
                    raise RpcTimeoutError(f"{exc}, {self.retries} retries", exc.code) from None
            except _TransientError as exc:
                if attempt == self.retries:
                    raise RpcError(
                        f"{self.url} kept failing after {self.retries} retries: {exc}"
                    ) from None
            delay = min(self.max_backoff, self.backoff * 2**attempt)
            self.sleep(delay * (0.5 + random.random() / 2))
        raise AssertionError("unreachable")

    def _send(self, calls: Sequence[tuple[str, Sequence[Any]]]) -> list[Any]:
        ids = [next(self._ids) for _ in calls]
        body = [
            {"jsonrpc": "2.0", "id": i, "method": m, "params": list(p)}
            for i, (m, p) in zip(ids, calls, strict=True)
        ]
        try:
            response = self.session.post(
                self.url,
                data=orjson.dumps(body),
                headers={"Content-Type": "application/json"},
                timeout=self.timeout,
            )
        except requests.Timeout:
            raise RpcTimeoutError(f"{self.url} did not answer within {self.timeout} s") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            # ChunkedEncodingError: the connection broke in the middle of the answer's body.
            raise _TransientError(f"cannot reach {self.url}: {exc.__class__.__name__}") from None
        if response.status_code == 413:
            raise RangeRefusedError("request or response too large (HTTP 413)", 413)
        if response.status_code == 429 or response.status_code >= 500:
            raise _TransientError(
                f"HTTP {response.status_code} from {self.url}", response.status_code
            )
        try:
            answers = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise _TransientError(f"{self.url} answered with something that is not JSON") from None
        if isinstance(answers, dict):
            if "error" in answers:
                raise classify(answers["error"])
            answers = [answers]
        if not isinstance(answers, list):
            raise _TransientError(f"{self.url} answered with JSON that is not JSON-RPC")
        by_id = {a.get("id"): a for a in answers if isinstance(a, dict)}
        results = []
        for i in ids:
            answer = by_id.get(i)
            if answer is None:
                raise _TransientError(f"{self.url} left request {i} of a batch unanswered")
            if "error" in answer:
                raise classify(answer["error"])
            results.append(answer.get("result"))
        return results
