"""Parsing of JSON-RPC parameters; every failure is a -32602 naming what was wrong."""

from __future__ import annotations

from typing import Any

from devnet._types import Header
from devnet.chain import CallMessage, StateOverride
from devnet.errors import RESOURCE_NOT_FOUND, RpcError, invalid_params
from devnet.logindex import LogFilter
from devnet.node import Node

MAX_QUANTITY = 2**256 - 1


def arg(params: list[Any], index: int, name: str, default: Any = ...) -> Any:
    """Positional parameter `index`, or `default`; missing without default is -32602."""
    if index < len(params) and params[index] is not None:
        return params[index]
    if default is ...:
        raise invalid_params(f"missing value for required argument {index} ({name})")
    return default


def expect_count(params: list[Any], most: int) -> None:
    """-32602 when more than `most` parameters were given."""
    if len(params) > most:
        raise invalid_params(f"too many arguments, want at most {most}")


def quantity(value: Any, name: str) -> int:
    """A hex QUANTITY ("0x1a"); plain integers are accepted too."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_QUANTITY:
        return value
    if not isinstance(value, str) or not value.startswith("0x") or len(value) < 3:
        raise invalid_params(f"{name}: expected a hex quantity like 0x1a, got {value!r}")
    try:
        number = int(value, 16)
    except ValueError:
        raise invalid_params(f"{name}: invalid hex quantity {value!r}") from None
    if number > MAX_QUANTITY:
        raise invalid_params(f"{name}: quantity exceeds 256 bits")
    return number


def hexdata(value: Any, name: str, size: int | None = None) -> bytes:
    """Hex DATA, optionally of exactly `size` bytes."""
    if not isinstance(value, str) or not value.startswith("0x"):
        raise invalid_params(f"{name}: expected 0x-prefixed hex data, got {value!r}")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise invalid_params(f"{name}: invalid hex data") from None
    if size is not None and len(raw) != size:
        raise invalid_params(f"{name}: expected {size} bytes, got {len(raw)}")
    return raw


def address(value: Any, name: str = "address") -> bytes:
    """A 20-byte address."""
    return hexdata(value, name, 20)


def block_hash(value: Any, name: str = "block hash") -> bytes:
    """A 32-byte hash."""
    return hexdata(value, name, 32)


def block_number(node: Node, tag: Any) -> int:
    """A block tag or number as a number (pending = latest: blocks are mined at once)."""
    head = int(node.chain.head.block_number)
    if tag in ("latest", "pending", "safe", "finalized"):
        return head
    if tag == "earliest":
        return 0
    return quantity(tag, "block number")


def header(node: Node, tag: Any) -> Header:
    """The header a block tag, number or EIP-1898 object names."""
    if isinstance(tag, dict):
        if "blockHash" in tag:
            found = node.chain.header_by_hash(block_hash(tag["blockHash"]))
            if found is None:
                raise RpcError(RESOURCE_NOT_FOUND, "block not found")
            if tag.get("requireCanonical") and not node.chain.is_canonical(found):
                raise RpcError(RESOURCE_NOT_FOUND, "block is not canonical")
            return found
        tag = tag.get("blockNumber", "latest")
    return node.header_for(block_number(node, tag))


def call_message(value: Any) -> CallMessage:
    """The transaction object of eth_call and eth_estimateGas."""
    if not isinstance(value, dict):
        raise invalid_params("transaction: expected an object")
    payload = value.get("input", value.get("data"))
    return CallMessage(
        sender=address(value["from"], "from") if value.get("from") else b"\x00" * 20,
        to=address(value["to"], "to") if value.get("to") else b"",
        gas=quantity(value["gas"], "gas") if value.get("gas") is not None else None,
        value=quantity(value["value"], "value") if value.get("value") is not None else 0,
        data=hexdata(payload, "input") if payload else b"",
    )


def state_overrides(value: Any) -> dict[bytes, StateOverride]:
    """The optional third parameter of eth_call."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_params("state overrides: expected an object keyed by address")
    out = {}
    for account, fields in value.items():
        if not isinstance(fields, dict):
            raise invalid_params(f"state override of {account}: expected an object")
        out[address(account)] = StateOverride(
            balance=_opt(fields, "balance", quantity),
            nonce=_opt(fields, "nonce", quantity),
            code=_opt(fields, "code", hexdata),
            state=_slots(fields.get("state")),
            state_diff=_slots(fields.get("stateDiff")) or {},
        )
    return out


def _opt(fields: dict[str, Any], name: str, parse: Any) -> Any:
    return parse(fields[name], name) if fields.get(name) is not None else None


def _slots(value: Any) -> dict[int, int] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid_params("storage override: expected an object of slot -> value")
    return {
        int.from_bytes(hexdata(k, "slot"), "big"): int.from_bytes(hexdata(v, "value"), "big")
        for k, v in value.items()
    }


def log_filter(value: Any) -> LogFilter:
    """Address and topic conditions of a filter object."""
    if not isinstance(value, dict):
        raise invalid_params("filter: expected an object")
    addresses = value.get("address")
    addr_set: frozenset[str] | None = None
    if isinstance(addresses, str):
        addr_set = frozenset({"0x" + address(addresses).hex()})
    elif isinstance(addresses, list) and addresses:
        addr_set = frozenset("0x" + address(a).hex() for a in addresses)
    topics = value.get("topics") or []
    if not isinstance(topics, list) or len(topics) > 4:
        raise invalid_params("topics: expected a list of at most 4 positions")
    return LogFilter(addr_set, tuple(_topic(t) for t in topics))


def _topic(value: Any) -> frozenset[str] | None:
    if value is None:
        return None
    options = value if isinstance(value, list) else [value]
    if not options:
        return None
    return frozenset("0x" + hexdata(t, "topic", 32).hex() for t in options)
