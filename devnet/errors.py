"""JSON-RPC errors with EIP-1474 codes; handlers raise them, the server renders them."""

from __future__ import annotations

from typing import Any

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
INVALID_INPUT = -32000
RESOURCE_NOT_FOUND = -32001
TRANSACTION_REJECTED = -32003
LIMIT_EXCEEDED = -32005
EXECUTION_REVERTED = 3


class RpcError(Exception):
    """An error answered to the client as a JSON-RPC error object."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def to_json(self) -> dict[str, Any]:
        """The `error` member of a JSON-RPC response."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            out["data"] = self.data
        return out


def invalid_params(message: str) -> RpcError:
    """-32602: the method exists but its parameters are wrong."""
    return RpcError(INVALID_PARAMS, message)


def rejected(message: str) -> RpcError:
    """-32000: a transaction the node refuses (nonce, funds, signature, gas)."""
    return RpcError(INVALID_INPUT, message)


def reverted(output: bytes) -> RpcError:
    """3: execution reverted, with the revert data for clients to decode."""
    reason = _error_string(output)
    message = f"execution reverted: {reason}" if reason else "execution reverted"
    return RpcError(EXECUTION_REVERTED, message, "0x" + output.hex())


def _error_string(output: bytes) -> str:
    if output[:4] != bytes.fromhex("08c379a0") or len(output) < 68:
        return ""
    length = int.from_bytes(output[36:68], "big")
    return output[68 : 68 + length].decode("utf-8", errors="replace")
