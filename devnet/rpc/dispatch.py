"""JSON-RPC 2.0 envelope handling: single and batch requests, errors as EIP-1474 codes."""

from __future__ import annotations

import json
import logging
from typing import Any

import orjson

from devnet.errors import (
    INTERNAL_ERROR,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    RpcError,
)
from devnet.node import Node
from devnet.rpc import blocks, fees, logs, state, testing, transactions, web3_net
from devnet.rpc.types import Handler

log = logging.getLogger("devnet.rpc")
MAX_BATCH = 10_000
# Methods that never read the chain: they do not mine a pending instamine block first.
STATIC = frozenset(
    {"eth_chainId", "net_version", "net_listening", "web3_clientVersion", "eth_syncing"}
)

METHODS: dict[str, Handler] = {
    **web3_net.METHODS,
    **state.METHODS,
    **fees.METHODS,
    **transactions.METHODS,
    **blocks.METHODS,
    **logs.METHODS,
    **testing.METHODS,
}


def error_response(request_id: Any, error: RpcError) -> dict[str, Any]:
    """A response object carrying `error`."""
    return {"jsonrpc": "2.0", "id": request_id, "error": error.to_json()}


def parse(body: bytes) -> Any:
    """The decoded request body, or a -32700 RpcError."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RpcError(PARSE_ERROR, f"parse error: {exc}") from exc


def dumps(answer: Any) -> bytes:
    """A response as JSON bytes (orjson; the standard library for ids beyond 64 bits)."""
    try:
        return orjson.dumps(answer)
    except TypeError:
        return json.dumps(answer, separators=(",", ":")).encode()


def decode(body: bytes) -> Any:
    """The decoded request body, or the -32700 RpcError to answer."""
    try:
        return parse(body)
    except RpcError as exc:
        return exc


def answer(node: Node, payload: Any) -> bytes | None:
    """The encoded response to `payload` (from :func:`decode`); None: nothing to answer."""
    if isinstance(payload, RpcError):
        return dumps(error_response(None, payload))
    response = handle_payload(node, payload)
    return None if response is None else dumps(response)


def handle_payload(node: Node, payload: Any) -> Any:
    """The response to a decoded request or batch; None when nothing is to be answered."""
    if isinstance(payload, list):
        if not payload:
            return error_response(None, RpcError(INVALID_REQUEST, "empty batch"))
        if len(payload) > MAX_BATCH:
            message = f"batch of {len(payload)} exceeds the limit of {MAX_BATCH} requests"
            return error_response(None, RpcError(INVALID_REQUEST, message))
        answers = [handle_one(node, item) for item in payload]
        return [a for a in answers if a is not None] or None
    return handle_one(node, payload)


def handle_one(node: Node, request: Any) -> dict[str, Any] | None:
    """The response to one request object (None for a notification)."""
    if not isinstance(request, dict):
        return error_response(None, RpcError(INVALID_REQUEST, "request must be an object"))
    request_id = request.get("id")
    try:
        result = call(node, request)
    except RpcError as exc:
        return error_response(request_id, exc)
    except Exception as exc:
        log.exception("internal error in %s", request.get("method"))
        return error_response(request_id, RpcError(INTERNAL_ERROR, f"internal error: {exc}"))
    if "id" not in request:
        return None
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


def call(node: Node, request: dict[str, Any]) -> Any:
    """Check the envelope and run the method."""
    if request.get("jsonrpc") != "2.0":
        raise RpcError(INVALID_REQUEST, 'invalid request: "jsonrpc" must be "2.0"')
    method = request.get("method")
    if not isinstance(method, str):
        raise RpcError(INVALID_REQUEST, 'invalid request: "method" must be a string')
    request_id = request.get("id")
    if request_id is not None and not isinstance(request_id, (str, int)):
        raise RpcError(INVALID_REQUEST, 'invalid request: "id" must be a string or number')
    params = request.get("params", [])
    if not isinstance(params, list):
        raise RpcError(-32602, 'invalid params: "params" must be an array')
    handler = METHODS.get(method)
    log.debug("%s %s", method, params)
    if handler is None:
        raise RpcError(METHOD_NOT_FOUND, f"the method {method} does not exist/is not available")
    if method not in STATIC:
        node.settle()
    return handler(node, params)
