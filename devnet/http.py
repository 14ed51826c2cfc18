"""A lean HTTP/1.1 front for JSON-RPC POSTs; every other connection goes to aiohttp.

aiohttp's request and response objects cost ~0.2 ms a request over a plain asyncio
protocol, and web3.py makes nine requests per transaction. This protocol answers keep-alive
`POST /` requests with a Content-Length body itself. At the first request it does not take
(WebSocket upgrade, GET, chunked or oversized body, anything unusual) it hands the
connection, with the bytes read so far, to aiohttp's protocol, which keeps it.

After each answer the settler gets its turn (:mod:`devnet.settler`): an instamine block is
mined while the client reads the answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

from devnet.node import Node
from devnet.rpc.dispatch import answer, decode
from devnet.settler import Settler

MAX_HEAD = 64 * 1024
Handoff = Callable[[], asyncio.Protocol]
Head = tuple[str, str, dict[str, str], str]
Request = tuple[Any, bool]  # decoded payload, keep-alive


class RpcProtocol(asyncio.Protocol):
    """One client connection: parse requests, answer them in order."""

    def __init__(self, server: RpcServer) -> None:
        self._server = server
        self._node = server.node
        self._settler = server.settler
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # a stream transport
        self._server.open.add(self._transport)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self._drain()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._server.open.discard(self._transport)
        self._transport = None

    def _drain(self) -> None:
        while self._transport is not None:
            request = self._next_request()
            if request is None:
                return
            self._answer(*request)

    def _next_request(self) -> Request | None:
        """The next complete request, or None: wait for bytes, or handed off."""
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > MAX_HEAD:
                self._give_away()
            return None
        head = _parse_head(bytes(self._buffer[:end]))
        length = None if head is None else _fast_length(head, self._node.config.max_body_bytes)
        if head is None or length is None:
            self._give_away()
            return None
        if len(self._buffer) < end + 4 + length:
            return None
        body = bytes(self._buffer[end + 4 : end + 4 + length])
        del self._buffer[: end + 4 + length]
        version, headers = head[1], head[2]
        connection = headers.get("connection", "").lower()
        keep = connection == "keep-alive" if version == "HTTP/1.0" else connection != "close"
        return decode(body), keep

    def _answer(self, payload: Any, keep_alive: bool) -> None:
        transport = self._transport
        assert transport is not None
        body = answer(self._node, payload)
        if body is None:
            status, extra = b"204 No Content", b""
        else:
            status, extra = b"200 OK", b"Content-Type: application/json\r\n"
        extra += b"Connection: keep-alive\r\n" if keep_alive else b"Connection: close\r\n"
        length = len(body) if body is not None else 0
        head = b"HTTP/1.1 %s\r\n%sContent-Length: %d\r\n\r\n" % (status, extra, length)
        transport.write(head + (body or b""))
        if not keep_alive:
            transport.close()
            self.connection_lost(None)
        self._settler.kick()  # mine while the client reads the answer

    def _give_away(self) -> None:
        """Switch this connection to aiohttp, replaying the unanswered bytes."""
        transport = self._transport
        assert transport is not None
        self.connection_lost(None)
        protocol = self._server.handoff()
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        if self._buffer:
            protocol.data_received(bytes(self._buffer))
        self._buffer.clear()


class RpcServer:
    """The listening socket and the connections this front answers itself."""

    def __init__(self, node: Node, settler: Settler, handoff: Handoff) -> None:
        self.node = node
        self.settler = settler
        self.handoff = handoff
        self.open: set[asyncio.Transport] = set()
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> None:
        """Listen on host:port."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: RpcProtocol(self), host, port)

    def close(self) -> None:
        """Stop listening and close this front's connections (aiohttp closes its own)."""
        if self._server is not None:
            self._server.close()
        for transport in list(self.open):
            transport.close()
        self.open.clear()


def _parse_head(raw: bytes) -> Head | None:
    """(method, version, lower-cased headers, target) of a request head, or None."""
    try:
        lines = raw.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ")
    except ValueError:
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or name.lower() in headers:
            return None  # malformed or repeated: aiohttp's parser decides
        headers[name.lower()] = value.strip()
    return method, version, headers, target


def _fast_length(head: Head, limit: int) -> int | None:
    """The body length of a request this protocol answers itself, else None."""
    method, version, headers, target = head
    if method != "POST" or target != "/" or version not in ("HTTP/1.1", "HTTP/1.0"):
        return None
    if "transfer-encoding" in headers or "upgrade" in headers or "expect" in headers:
        return None
    length = headers.get("content-length", "")
    if not (length.isascii() and length.isdigit()) or int(length) > limit:
        return None
    return int(length)
