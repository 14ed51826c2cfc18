"""eth_getLogs and polling filters, served from the devnet's log index."""

from __future__ import annotations

from typing import Any

from devnet import logindex
from devnet.errors import RESOURCE_NOT_FOUND, RpcError, invalid_params
from devnet.filters import BlockWatch, LogWatch
from devnet.node import Node
from devnet.rpc import params as p
from devnet.rpc.types import Handler


def get_logs(node: Node, params: list[Any]) -> Any:
    """eth_getLogs(filter): by range or blockHash; over the limit is -32005."""
    p.expect_count(params, 1)
    spec = p.arg(params, 0, "filter")
    condition = p.log_filter(spec)
    if spec.get("blockHash") is not None:
        header = node.chain.header_by_hash(p.block_hash(spec["blockHash"]))
        if header is None:
            raise RpcError(RESOURCE_NOT_FOUND, "unknown block")
        blocks = [logindex.block_logs(node.chain.db, header.block_number)]
        return logindex.query(blocks, condition, node.config.max_logs)
    first, last = _range(node, spec)
    scan = logindex.scan(node.chain.db, first, last)
    return logindex.query(scan, condition, node.config.max_logs)


def _range(node: Node, spec: dict[str, Any]) -> tuple[int, int]:
    first = p.block_number(node, spec.get("fromBlock") or "latest")
    last = p.block_number(node, spec.get("toBlock") or "latest")
    last = min(last, node.chain.head.block_number)
    if first > last and spec.get("toBlock") not in (None, "latest"):
        raise invalid_params(f"invalid block range: fromBlock {first} > toBlock {last}")
    return first, last


def new_filter(node: Node, params: list[Any]) -> Any:
    """eth_newFilter(filter)"""
    p.expect_count(params, 1)
    spec = p.arg(params, 0, "filter")
    condition = p.log_filter(spec)
    first = _optional_block(node, spec.get("fromBlock"))
    last = _optional_block(node, spec.get("toBlock"))
    return node.filters.install(LogWatch(condition, first, last))


def _optional_block(node: Node, tag: Any) -> int | None:
    if tag in (None, "latest", "pending"):
        return None
    return p.block_number(node, tag)


def new_block_filter(node: Node, params: list[Any]) -> Any:
    """eth_newBlockFilter()"""
    return node.filters.install(BlockWatch())


def get_filter_changes(node: Node, params: list[Any]) -> Any:
    """eth_getFilterChanges(id): what arrived since the last poll."""
    p.expect_count(params, 1)
    return node.filters.drain(_filter_id(params))


def get_filter_logs(node: Node, params: list[Any]) -> Any:
    """eth_getFilterLogs(id): every log of a log filter's range."""
    p.expect_count(params, 1)
    watch = node.filters.get(_filter_id(params))
    if not isinstance(watch, LogWatch):
        raise invalid_params("not a log filter")
    head = node.chain.head.block_number
    first = watch.from_block if watch.from_block is not None else head
    last = min(watch.to_block if watch.to_block is not None else head, head)
    scan = logindex.scan(node.chain.db, first, last)
    return logindex.query(scan, watch.condition, node.config.max_logs)


def uninstall_filter(node: Node, params: list[Any]) -> Any:
    """eth_uninstallFilter(id)"""
    p.expect_count(params, 1)
    return node.filters.uninstall(_filter_id(params))


def _filter_id(params: list[Any]) -> str:
    value = p.arg(params, 0, "filter id")
    if not isinstance(value, str):
        raise invalid_params("filter id: expected a hex string")
    return hex(p.quantity(value, "filter id"))


METHODS: dict[str, Handler] = {
    "eth_getLogs": get_logs,
    "eth_newFilter": new_filter,
    "eth_newBlockFilter": new_block_filter,
    "eth_getFilterChanges": get_filter_changes,
    "eth_getFilterLogs": get_filter_logs,
    "eth_uninstallFilter": uninstall_filter,
}
