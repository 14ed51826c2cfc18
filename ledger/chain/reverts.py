"""Decode revert data into the `ContractRevertError` family, with a message a person can act on."""

from __future__ import annotations

from functools import cache
from typing import Any

from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from ledger.chain.artifacts import combined_abi
from ledger.errors import (
    ContractRevertError,
    DuplicateIdError,
    InsufficientError,
    InvalidInputError,
    NotFoundError,
    PausedError,
    UnauthorizedError,
)

ErrorSpec = tuple[str, list[str], list[str]]

_HINTS: dict[type[ContractRevertError], str] = {
    UnauthorizedError: "ask an administrator to grant the role, or sign with the right staff key",
    PausedError: "the ledger is paused for an emergency; wait for the administrator to unpause it",
    DuplicateIdError: "this id was already recorded; if this is a retry, nothing more is needed",
    NotFoundError: "check the id, or record the thing it refers to first",
    InsufficientError: "reduce the quantity or amount to what is available",
    InvalidInputError: "correct the input and try again",
}

# Refusals whose cure is not the generic one for their class, by error-name suffix.
_NAME_HINTS: dict[str, str] = {
    "TooLarge": (
        "the ledger caps every amount, quantity and running total at 9223372036854775807 "
        "(2^63 - 1) so that the public mirror can store it; record a smaller value"
    ),
    "ZeroAmount": "an amount of zero records nothing; give an amount of at least 1",
    "ZeroQuantity": "a quantity of zero records nothing; give a quantity of at least 1",
}


def _type_string(param: dict[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        inner = ",".join(_type_string(c) for c in param["components"])
        return f"({inner}){param['type'][5:]}"
    return str(param["type"])


@cache
def _error_specs() -> dict[bytes, ErrorSpec]:
    specs: dict[bytes, ErrorSpec] = {
        function_signature_to_4byte_selector("Error(string)"): ("Error", ["string"], ["reason"]),
        function_signature_to_4byte_selector("Panic(uint256)"): ("Panic", ["uint256"], ["code"]),
    }
    for entry in combined_abi():
        if entry["type"] != "error":
            continue
        types = [_type_string(p) for p in entry["inputs"]]
        selector = function_signature_to_4byte_selector(f"{entry['name']}({','.join(types)})")
        specs[selector] = (entry["name"], types, [p["name"] for p in entry["inputs"]])
    return specs


def _classify(name: str) -> type[ContractRevertError]:
    if name.startswith("AccessControl"):
        return UnauthorizedError
    if name == "EnforcedPause":
        return PausedError
    if name.endswith("DuplicateId") or name.endswith("AlreadyBound"):
        return DuplicateIdError
    if "Unknown" in name:
        return NotFoundError
    if any(word in name for word in ("Insufficient", "OverReceipt", "Exceeded")):
        return InsufficientError
    return InvalidInputError


def _show(type_: str, value: object) -> str:
    if isinstance(value, bytes):
        if type_ == "bytes3":
            return value.decode("ascii", "replace")
        return "0x" + value.hex()
    if type_ == "address":
        return to_checksum_address(str(value))
    return str(value)


def decode_revert(data: bytes) -> ContractRevertError:
    """Turn raw revert data into the matching exception; unknown data still gets a clear message."""
    spec = _error_specs().get(data[:4])
    if spec is None:
        shown = "0x" + data.hex() if data else "no data"
        return InvalidInputError(
            f"the contract refused the write without a known error ({shown}); "
            "check that the deployment matches these artifacts",
            "Unknown",
            {},
        )
    name, types, names = spec
    values = decode(types, data[4:])
    args = {
        n: to_checksum_address(v) if t == "address" else v
        for n, t, v in zip(names, types, values, strict=True)
    }
    shown_args = ", ".join(
        f"{n}={_show(t, v)}" for n, t, v in zip(names, types, values, strict=True)
    )
    kind = _classify(name)
    hint = next((h for suffix, h in _NAME_HINTS.items() if name.endswith(suffix)), _HINTS[kind])
    return kind(f"{name}({shown_args}): {hint}", name, args)


def revert_data_from(exc: BaseException) -> bytes | None:
    """Extract revert bytes from a web3.py exception, or None when it carries none."""
    data = getattr(exc, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        return bytes.fromhex(data[2:])
    if isinstance(data, bytes | bytearray):
        return bytes(data)
    return None
