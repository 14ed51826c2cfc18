"""The sequenced events as the accounting check reads them: straight from `eth_getLogs`, decoded
by `ledger.chain.events`, hash chain checked, arguments in the mirror's column formats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.chain.deployment import Deployment
from ledger.chain.events import decode_log, event_specs, verify_sequence
from ledger.chain.logs import get_logs
from ledger.chain.rpc import Rpc

_ZERO = "0x" + "00" * 32


@dataclass(frozen=True)
class Logged:
    """One sequenced event as read from the chain, arguments in the mirror's column formats."""

    name: str
    contract: str
    seq: int
    block: int
    tx: str
    log_index: int
    emitter: str
    a: dict[str, Any]

    def __str__(self) -> str:
        return (
            f"{self.contract}:{self.name} seq {self.seq} "
            f"(block {self.block}, tx {self.tx}, log {self.log_index})"
        )


def norm(value: Any) -> Any:
    """A value as compared: hex in lower case, and a zero id (or "0x") as None."""
    if isinstance(value, str) and value.startswith(("0x", "0X")):
        value = value.lower()
        return None if value in (_ZERO, "0x") else value
    return value


def _column_value(type_: str, value: Any) -> Any:
    """An event argument in the mirror's documented column format (docs/indexer.md)."""
    if type_ == "bytes3":
        return bytes(value).decode("ascii", "replace")
    if type_ == "bytes8":
        return bytes(value).rstrip(b"\x00").decode("ascii", "replace")
    if type_.startswith("bytes"):
        return norm("0x" + bytes(value).hex())
    if type_ == "address":
        return str(value).lower()
    return value


def chain_events(rpc: Rpc, deployment: Deployment, last_block: int) -> list[Logged]:
    """Every sequenced event from the deployment block to `last_block`, hash chain checked."""
    addresses = deployment.contracts()
    names = {address.lower(): name for name, address in addresses.items()}
    logs = get_logs(rpc, list(addresses.values()), deployment.deployment_block, last_block)
    decoded = [e for e in map(decode_log, logs) if e is not None]
    decoded.sort(key=lambda e: (e.block_number, e.log_index))
    specs = {s.name: s for s in event_specs().values()}
    out = []
    for e in verify_sequence(decoded):
        spec = specs[e.name]
        args = {n: _column_value(t, e.args[n]) for n, t in zip(spec.names, spec.types, strict=True)}
        tx = "0x" + e.tx_hash.hex()
        emitter = e.emitter.lower()
        out.append(
            Logged(
                e.name,
                names.get(emitter, "?"),
                e.seq,
                e.block_number,
                tx,
                e.log_index,
                emitter,
                args,
            )
        )
    return out
