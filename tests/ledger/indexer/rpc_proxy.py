"""A fault-injecting HTTP JSON-RPC proxy in front of a real node, for indexer reliability tests.

It is a real HTTP server on 127.0.0.1 in a thread. Each request is forwarded to the node unless
the seeded plan decides to fail it; the faults are the ones public providers produce: JSON-RPC
error objects, HTTP 429/500/503, rate limits, answers slower than the client waits, dropped or
cut connections, gateway pages instead of JSON, batch answers missing or out of order, and
refused `eth_getLogs` queries (too many results, block range too large).
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

# Faults decided per HTTP request, before (or instead of) forwarding it.
FAULTS = (
    "rpc_rate_limit",  # a JSON-RPC rate-limit error (RATE_LIMITS) for every call of the batch
    "rpc_node_timeout",  # JSON-RPC -32603 "request timeout" from the node
    "http_429",
    "http_500",
    "http_503",
    "timeout",  # answer later than the client's timeout
    "drop",  # close the connection without an answer
    "cut",  # send half of the answer, then close
    "gateway_page",  # HTTP 200 with an HTML page instead of JSON
    "not_jsonrpc",  # HTTP 200 with JSON that is not a JSON-RPC answer (null, a bare error string)
    "missing_answer",  # a batch answer without one of its calls
)

# Bodies seen from gateways and half-broken providers in place of a JSON-RPC answer.
NOT_JSONRPC = (
    b"null",
    b'"service unavailable"',
    b'{"error": "rate limited"}',
    b'{"jsonrpc": "2.0", "id": null, "error": null}',
    b"[]",
    b"{}",
)

# Rate-limit errors in the codes and wordings providers use; not all use -32005.
RATE_LIMITS: tuple[dict[str, Any], ...] = (
    {"code": -32005, "message": "rate limit exceeded"},
    {"code": -32005, "message": "daily request count exceeded, request rate limited"},
    {"code": 429, "message": "Too Many Requests"},
    {"code": -32029, "message": "Too many requests"},
    {"code": -32090, "message": "Too many requests, reason: call rate limit exhausted"},
    {"code": -32016, "message": "over rate limit"},
    {"code": -32000, "message": "request throttled, try again later"},
)

# Not in FAULTS: a node behind the others of a load balancer answers eth_getLogs with [] for
# blocks it has not seen yet, a valid-looking answer (see test_fetch's stale-node test).
STALE_LOGS = "stale_logs"

TOO_MANY_RESULTS = {"code": -32005, "message": "query returned more than {limit} results"}
RANGE_TOO_LARGE = {"code": -32000, "message": "block range too large: at most {limit} blocks"}


@dataclass
class FaultPlan:
    """What to inject. `rate` is the chance that one HTTP request gets one of `faults`."""

    seed: int = 0
    rate: float = 0.0
    faults: tuple[str, ...] = FAULTS
    log_limit: int | None = None  # refuse eth_getLogs answers longer than this
    max_range: int | None = None  # refuse eth_getLogs ranges wider than this
    shuffle: bool = False  # return batch answers in random order
    delay: float = 2.5  # how long a "timeout" fault keeps the client waiting
    only_methods: frozenset[str] | None = None  # fault only requests containing these methods
    budget: int | None = None  # inject at most this many faults, then forward faithfully
    bodies: tuple[bytes, ...] = NOT_JSONRPC  # what a "not_jsonrpc" fault answers
    rate_limits: tuple[dict[str, Any], ...] = ()  # what "rpc_rate_limit" answers (all if empty)

    def __post_init__(self) -> None:
        if not self.rate_limits:
            self.rate_limits = RATE_LIMITS


@dataclass
class ProxyStats:
    """What the proxy saw and did, to prove a test really met the faults it claims."""

    requests: int = 0
    calls: Counter[str] = field(default_factory=Counter)
    injected: Counter[str] = field(default_factory=Counter)


class RpcProxy:
    """`url` forwards to `upstream`, failing requests as `plan` says. Change `plan` at will."""

    def __init__(self, upstream: str, plan: FaultPlan | None = None) -> None:
        self.upstream = upstream
        self.stats = ProxyStats()
        self._lock = threading.Lock()
        self.set_plan(plan or FaultPlan())
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Where clients connect."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def set_plan(self, plan: FaultPlan) -> None:
        """Switch to `plan` (and its seed) from the next request on."""
        with self._lock:
            self.plan = plan
            self._random = random.Random(plan.seed)
            self._left = plan.budget

    def start(self) -> RpcProxy:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def decide(self, calls: list[dict[str, Any]]) -> tuple[str | None, random.Random]:
        """The fault for this request (or None) and a generator for its details, both seeded."""
        methods = {str(c.get("method")) for c in calls}
        with self._lock:
            self.stats.requests += 1
            self.stats.calls.update(str(c.get("method")) for c in calls)
            rng = random.Random(self._random.getrandbits(64))
            plan = self.plan
        if plan.only_methods is not None and not methods & plan.only_methods:
            return None, rng
        if rng.random() >= plan.rate or not plan.faults:
            return None, rng
        fault = rng.choice(plan.faults)
        if fault == "missing_answer" and len(calls) < 2:
            fault = "drop"
        with self._lock:
            if self._left is not None:
                if self._left <= 0:
                    return None, rng
                self._left -= 1
            self.stats.injected[fault] += 1
        return fault, rng

    def forward(self, calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Ask the node, applying the plan's range and result limits to `eth_getLogs`."""
        plan = self.plan
        refused: dict[Any, dict[str, Any]] = {}
        allowed = []
        for call in calls:
            error = _range_refusal(call, plan.max_range)
            if error is not None:
                refused[call.get("id")] = error
            else:
                allowed.append(call)
        answers: list[dict[str, Any]] = []
        if allowed:
            reply = requests.post(self.upstream, json=allowed, timeout=120)
            reply.raise_for_status()
            answers = reply.json()
        methods = {c.get("id"): c.get("method") for c in allowed}
        limit = plan.log_limit
        for n, answer in enumerate(answers):
            result = answer.get("result")
            is_logs = methods.get(answer.get("id")) == "eth_getLogs"
            if is_logs and limit is not None and isinstance(result, list) and len(result) > limit:
                answers[n] = _error(answer.get("id"), TOO_MANY_RESULTS, limit)
        for call_id, error in refused.items():
            answers.append({"jsonrpc": "2.0", "id": call_id, "error": error})
        if refused:
            with self._lock:
                self.stats.injected["range_too_large"] += len(refused)
        too_many = sum(1 for a in answers if "more than" in str(a.get("error", "")))
        if too_many:
            with self._lock:
                self.stats.injected["too_many_results"] += too_many
        return answers


def _error(call_id: Any, template: dict[str, Any], limit: int) -> dict[str, Any]:
    error = {"code": template["code"], "message": template["message"].format(limit=limit)}
    return {"jsonrpc": "2.0", "id": call_id, "error": error}


def _range_refusal(call: dict[str, Any], max_range: int | None) -> dict[str, Any] | None:
    if call.get("method") != "eth_getLogs" or max_range is None:
        return None
    params = call.get("params") or [{}]
    try:
        first, last = int(params[0]["fromBlock"], 16), int(params[0]["toBlock"], 16)
    except (KeyError, TypeError, ValueError):
        return None
    if last - first + 1 <= max_range:
        return None
    return _error(call.get("id"), RANGE_TOO_LARGE, max_range)["error"]  # type: ignore[no-any-return]


def _handler_class(proxy: RpcProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read `proxy.stats`, not a log."""

        def do_POST(self) -> None:  # http.server's naming
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            single = isinstance(body, dict)
            calls: list[dict[str, Any]] = [body] if single else list(body)
            fault, rng = proxy.decide(calls)
            # The client may have given up first (after a "timeout" fault): nothing to do then.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._answer(calls, single, fault, rng)

        def _answer(
            self, calls: list[dict[str, Any]], single: bool, fault: str | None, rng: random.Random
        ) -> None:
            if fault == "drop":
                self.close_connection = True
                return
            if fault in ("http_429", "http_500", "http_503"):
                self._send(int(fault[5:]), b'{"message":"try again later"}')
                return
            if fault == "not_jsonrpc":
                self._send(200, rng.choice(proxy.plan.bodies))
                return
            if fault == "gateway_page":
                self._send(200, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
                return
            if fault in ("rpc_rate_limit", "rpc_node_timeout"):
                error = (
                    dict(rng.choice(proxy.plan.rate_limits))
                    if fault == "rpc_rate_limit"
                    else {"code": -32603, "message": "request timeout"}
                )
                answers = [{"jsonrpc": "2.0", "id": c.get("id"), "error": error} for c in calls]
            else:
                answers = proxy.forward(calls)
            if fault == "stale_logs":
                logs = {c.get("id") for c in calls if c.get("method") == "eth_getLogs"}
                answers = [a | {"result": []} if a.get("id") in logs else a for a in answers]
            if fault == "timeout":
                time.sleep(proxy.plan.delay)
            if fault == "missing_answer":
                answers.pop(rng.randrange(len(answers)))
            if proxy.plan.shuffle:
                rng.shuffle(answers)
            payload = json.dumps(answers[0] if single and answers else answers).encode()
            if fault == "cut":
                self._send(200, payload, cut=True)
                return
            self._send(200, payload)

        def _send(
            self, status: int, payload: bytes, kind: str = "application/json", cut: bool = False
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2] if cut else payload)
            self.wfile.flush()
            if cut:
                self.close_connection = True

    return Handler


@contextmanager
def rpc_proxy(upstream: str, plan: FaultPlan | None = None) -> Iterator[RpcProxy]:
    """A running proxy to `upstream`, stopped afterwards."""
    proxy = RpcProxy(upstream, plan).start()
    try:
        yield proxy
    finally:
        proxy.stop()
