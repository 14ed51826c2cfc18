"""What every handler shares: its context, its registration, and the rows it declares it reads.

A handler is registered with `@on("Contract:Event", reads=...)` (ponder's convention). `reads`
names the rows the handler looks up that earlier batches may have written: `Key(table, arg)` for
a row whose primary key is an argument, `Group(table, column, value)` for every row whose
`column` equals a value taken from the arguments. `prefetch.py` loads exactly these before a
batch's handlers run, so the declaration beside each handler is the only list there is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ledger.chain.types import EarmarkKind
from ledger.indexer.prepare import Entry
from ledger.indexer.rows import Unit

ZERO_ID = "0x" + "00" * 32  # a zero bytes32 argument: "none" (no pledge, no parent lot, ...)
A = TypeVar("A", bound=Mapping[str, Any])


@dataclass
class Context(Generic[A]):
    """What a handler sees: the batch's rows and the event (args already as SQL values)."""

    unit: Unit
    event: Entry
    a: A

    @property
    def seq(self) -> int:
        """The event's sequence number."""
        return int(self.a["seq"])


@dataclass(frozen=True)
class Key:
    """The row of `table` whose (single-column) primary key is argument `arg`; a zero id is
    skipped."""

    table: str
    arg: str


@dataclass(frozen=True)
class Group:
    """Every row of `table` whose `column` equals `value(args)`, or the argument named `value`."""

    table: str
    column: str
    value: str | Callable[[Mapping[str, Any]], Any]

    def of(self, args: Mapping[str, Any]) -> Any:
        """The group's value for one event."""
        return args[self.value] if isinstance(self.value, str) else self.value(args)


Reads = tuple[Key | Group, ...]
Handler = Callable[[Context[Any]], None]


@dataclass(frozen=True)
class Registered:
    """A handler with its key and the rows it reads."""

    key: str  # "Contract:Event"
    fn: Handler
    reads: Reads


REGISTERED: dict[str, Registered] = {}  # "Contract:Event" -> handler
HANDLERS: dict[str, Handler] = {}  # event name -> handler (names are unique across contracts)
READS: dict[str, Reads] = {}  # event name -> the rows its handler reads


def on(key: str, reads: Reads = ()) -> Callable[[Callable[[Context[Any]], None]], Handler]:
    """Register the decorated function for `key` ("Contract:Event") with the rows it reads."""
    _, name = key.split(":")

    def register(fn: Callable[[Context[Any]], None]) -> Handler:
        if name in HANDLERS:
            raise ValueError(f"two handlers for event {name}: {REGISTERED} already has it")
        REGISTERED[key] = Registered(key, fn, reads)
        HANDLERS[name] = fn
        READS[name] = reads
        return fn

    return register


def opt(value: str) -> str | None:
    """A bytes32 argument as stored: NULL when it is zero (it names nothing)."""
    return None if value == ZERO_ID else value


def line_flow(shipment_id: str, line_index: int) -> str:
    """The flow id of a shipment line (docs/attribution.md, step 6)."""
    return f"{shipment_id}:{line_index}"


def gift_row(ctx: Context[Any], **fields: Any) -> dict[str, Any]:
    """A `gifts` row: what money and in-kind gifts share, then `fields`."""
    a = ctx.a
    row = {
        "gift_id": a["giftId"],
        "pool_id": None,
        "currency": None,
        "amount": 0,
        "unallocated": 0,
        "earmark_kind": int(EarmarkKind.NONE),
        "earmark": None,
        "evidence_hash": opt(a["evidenceHash"]),
        "donor_commitment": opt(a["donorCommitment"]),
        "pledge_id": None,
        "public_name": a["publicName"],
        "lot_id": None,
        "block_number": ctx.event.block_number,
        "tx_hash": ctx.event.tx_hash,
        "actor": a["actor"],
        "seq": ctx.seq,
    }
    row.update(fields)
    return row
