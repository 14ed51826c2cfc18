"""HTTP and WebSocket JSON-RPC on one port (aiohttp), the interval miner, and startup."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import itertools
import json
import logging
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from aiohttp import WSMsgType, web

from devnet import datadir
from devnet.chain import MinedBlock
from devnet.config import DevnetConfig
from devnet.errors import INVALID_PARAMS, INVALID_REQUEST, RpcError
from devnet.http import RpcServer
from devnet.logindex import LogFilter
from devnet.node import Node
from devnet.rpc import params as p
from devnet.rpc.dispatch import answer, decode, error_response, handle_payload, parse
from devnet.settler import Settler

log = logging.getLogger("devnet.server")
JSON_HEADERS = {"Content-Type": "application/json"}
SHUTDOWN_GRACE = 2.0  # seconds in-flight requests (a websocket subscription) get on SIGTERM


class DevnetLockedError(RuntimeError):
    """Another devnet process holds the data directory."""


class DevnetPortError(RuntimeError):
    """The port to listen on is taken or not allowed."""


class Subscriptions:
    """eth_subscribe state of all WebSocket connections."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._subs: dict[str, tuple[asyncio.Queue[str], str, LogFilter | None]] = {}

    def add(self, queue: asyncio.Queue[str], kind: str, flt: LogFilter | None) -> str:
        """Register a subscription feeding `queue`; return its id."""
        sub_id = hex(next(self._ids))
        self._subs[sub_id] = (queue, kind, flt)
        return sub_id

    def remove(self, sub_id: str) -> bool:
        """Drop one subscription."""
        return self._subs.pop(sub_id, None) is not None

    def drop_queue(self, queue: asyncio.Queue[str]) -> None:
        """Drop every subscription of a closed connection."""
        for sub_id in [s for s, (q, _, _) in self._subs.items() if q is queue]:
            del self._subs[sub_id]

    def publish(self, mined: MinedBlock | None, removed: list[dict[str, Any]]) -> None:
        """Queue notifications for a new block or for logs removed by a rewind."""
        for sub_id, (queue, kind, flt) in self._subs.items():
            if kind == "newHeads" and mined is not None:
                head = {k: v for k, v in mined.block.items() if k != "transactions"}
                queue.put_nowait(_notification(sub_id, head))
            elif kind == "logs" and flt is not None:
                for entry in removed + (mined.logs if mined else []):
                    if flt.matches(entry):
                        queue.put_nowait(_notification(sub_id, entry))


def _notification(sub_id: str, result: Any) -> str:
    message = {"jsonrpc": "2.0", "method": "eth_subscription"}
    message["params"] = {"subscription": sub_id, "result": result}  # type: ignore[assignment]
    return json.dumps(message)


def build_app(node: Node, settler: Settler) -> web.Application:
    """The aiohttp application serving `node`."""
    app = web.Application(client_max_size=node.config.max_body_bytes)
    subs = Subscriptions()
    node.listeners.append(subs.publish)

    async def handle(request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await _websocket(request, node, settler, subs)
        if request.method != "POST":
            return web.Response(text="aidledger devnet: POST JSON-RPC here\n")
        return await _http(request, node, settler)

    app.router.add_route("*", "/", handle)
    return app


async def _http(request: web.Request, node: Node, settler: Settler) -> web.Response:
    limit = node.config.max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        return _too_large(limit)
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _too_large(limit)
    encoded = answer(node, decode(body))
    response = (
        web.Response(status=204)
        if encoded is None
        else web.Response(body=encoded, headers=JSON_HEADERS)
    )
    await response.prepare(request)
    await response.write_eof()
    settler.kick()
    return response


def _too_large(limit: int) -> web.Response:
    error = RpcError(INVALID_REQUEST, f"request body exceeds the limit of {limit} bytes")
    body = json.dumps(error_response(None, error)).encode()
    return web.Response(status=413, body=body, headers=JSON_HEADERS)


async def _websocket(
    request: web.Request, node: Node, settler: Settler, subs: Subscriptions
) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(max_msg_size=node.config.max_body_bytes)
    await ws.prepare(request)
    queue: asyncio.Queue[str] = asyncio.Queue()
    sender = asyncio.create_task(_pump(ws, queue))
    try:
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            queue.put_nowait(json.dumps(_ws_answer(node, subs, queue, message.data)))
            settler.kick()
    finally:
        subs.drop_queue(queue)
        sender.cancel()
    return ws


async def _pump(ws: web.WebSocketResponse, queue: asyncio.Queue[str]) -> None:
    while True:
        text = await queue.get()
        with contextlib.suppress(ConnectionError, RuntimeError):
            await ws.send_str(text)


def _ws_answer(node: Node, subs: Subscriptions, queue: asyncio.Queue[str], text: str) -> Any:
    try:
        request = parse(text.encode())
    except RpcError as exc:
        return error_response(None, exc)
    if not isinstance(request, dict) or request.get("method") not in (
        "eth_subscribe",
        "eth_unsubscribe",
    ):
        return handle_payload(node, request)
    try:
        result = _subscription_call(subs, queue, request)
    except RpcError as exc:
        return error_response(request.get("id"), exc)
    return {"jsonrpc": "2.0", "id": request.get("id"), "result": result}


def _subscription_call(subs: Subscriptions, queue: asyncio.Queue[str], request: Any) -> Any:
    params = request.get("params") or []
    if not isinstance(params, list) or not params:
        raise RpcError(INVALID_PARAMS, "missing subscription kind")
    if request["method"] == "eth_unsubscribe":
        return subs.remove(str(params[0]))
    kind = params[0]
    if kind == "newHeads":
        return subs.add(queue, kind, None)
    if kind == "logs":
        spec = params[1] if len(params) > 1 else {}
        return subs.add(queue, kind, p.log_filter(spec))
    raise RpcError(INVALID_PARAMS, f"unsupported subscription {kind!r}; use newHeads or logs")


async def _interval_miner(node: Node) -> None:
    """Mine at a fixed rate; a block that takes longer than the interval delays the next."""
    loop = asyncio.get_running_loop()
    due = loop.time()
    while True:
        due = max(due + node.config.block_time, loop.time())
        await asyncio.sleep(due - loop.time())
        try:
            node.mine()
        except RpcError:
            log.exception("interval mining failed")


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the data directory for the node's lifetime."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / "LOCK").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DevnetLockedError(
                f"another devnet is running on {data_dir}; stop it "
                "(`aidledger devnet stop`) or pass another --data-dir"
            ) from None
        yield


def banner(node: Node, out: TextIO) -> None:
    """Print the dev accounts and keys, as anvil does."""
    cfg = node.config
    print("AidLedger devnet (py-evm, Prague)\n\nAvailable accounts", file=out)
    for i, account in enumerate(node.accounts):
        print(f"({i}) {account.checksum} ({cfg.balance_wei // 10**18} ETH)", file=out)
    print("\nPrivate keys", file=out)
    for i, account in enumerate(node.accounts):
        print(f"({i}) 0x{account.key.to_bytes().hex()}", file=out)
    mining = "instamine" if node.instamine else f"every {cfg.block_time}s"
    print(f"\nMnemonic: {cfg.mnemonic}\nChain id: {cfg.chain_id}", file=out)
    print(f"Data dir: {cfg.data_dir}\nMining: {mining}", file=out)
    print(f"Head: block {node.chain.head.block_number}", file=out)


async def serve(config: DevnetConfig, out: TextIO = sys.stdout) -> None:
    """Run the node until SIGINT or SIGTERM; flush and close on the way out.

    The pid file is written once the port is bound, so `devnet start` and `devnet status`
    know the node answering there is this one (a foreground run included).
    """
    datadir.check(config.data_dir, config.store)
    with data_dir_lock(config.data_dir):
        node = Node(config)
        settler = Settler(node)
        runner = web.AppRunner(
            build_app(node, settler), access_log=None, shutdown_timeout=SHUTDOWN_GRACE
        )
        await runner.setup()
        assert runner.server is not None
        front = RpcServer(node, settler, runner.server)  # plain POSTs; aiohttp the rest
        miner = None
        try:
            await _listen(front, config)
            datadir.write_pid(config.data_dir, config.host, config.port)
            banner(node, out)
            print(f"Listening on {config.host}:{config.port}", file=out, flush=True)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            miner = None if node.instamine else asyncio.create_task(_interval_miner(node))
            await stop.wait()
        finally:
            datadir.remove_pid(config.data_dir)
            if miner is not None:
                miner.cancel()
            front.close()
            await runner.cleanup()
            node.close()


async def _listen(front: RpcServer, config: DevnetConfig) -> None:
    try:
        await front.start(config.host, config.port)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise DevnetPortError(
            f"cannot listen on {config.host}:{config.port}: {reason}; stop what uses the "
            "port or pass another --port"
        ) from None


def run(config: DevnetConfig) -> None:
    """Blocking entry point used by `aidledger devnet` (AIDLEDGER_DEVNET_TRACE=1 logs calls)."""
    level = logging.DEBUG if os.environ.get("AIDLEDGER_DEVNET_TRACE") else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(serve(config))
