"""Human names for ids, both ways: sites and items by their registered names, lots, shipments,
needs, allocations and purchases by a label made of a letter and the `seq` of the event that
created them (`L-17` is the lot created by ledger event 17). Anyone can recompute a label from
the chain, and a label never changes. Ids may always be given as 0x hex instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, SQLModel

from ledger.errors import AidLedgerValueError
from ledger.store.models import (
    Allocation,
    IndexerState,
    Item,
    Lot,
    Need,
    Organisation,
    Purchase,
    Shipment,
    Site,
)


@dataclass(frozen=True)
class _Kind:
    table: type[SQLModel]
    id_column: str
    letter: str | None  # label prefix, or None where things are named (`name` column)


KINDS: dict[str, _Kind] = {
    "org": _Kind(Organisation, "org_id", None),
    "site": _Kind(Site, "site_id", None),
    "item": _Kind(Item, "item_id", None),
    "lot": _Kind(Lot, "lot_id", "L"),
    "shipment": _Kind(Shipment, "shipment_id", "S"),
    "need": _Kind(Need, "need_id", "N"),
    "allocation": _Kind(Allocation, "allocation_id", "A"),
    "purchase": _Kind(Purchase, "purchase_id", "P"),
}


class UnknownNameError(AidLedgerValueError):
    """A name, label or id the mirror does not know (yet)."""


def _column(kind: _Kind, name: str) -> Any:
    return getattr(kind.table, name)


def label(kind: str, seq: int) -> str:
    """The label of the thing of `kind` created by ledger event `seq` (e.g. 'L-17')."""
    letter = KINDS[kind].letter
    if letter is None:
        raise ValueError(f"{kind} has names, not labels")
    return f"{letter}-{seq}"


def mirror_block(session: Session) -> int | None:
    """The last block the mirror has applied, or None before the first `aidledger index`."""
    state = session.get(IndexerState, 1)
    return None if state is None else int(state.last_block)


def resolve(session: Session, kind: str, text: str) -> bytes:
    """The id of `text`: a 0x id, a label such as 'L-17', or a registered name such as 'WH-1'."""
    spec = KINDS[kind]
    text = text.strip()
    if text.startswith("0x") and len(text) == 66:
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            pass
    where = None
    if spec.letter is not None:
        prefix, _, number = text.partition("-")
        if prefix.upper() == spec.letter and number.isdigit():
            where = _column(spec, "seq") == int(number)
    else:
        where = _column(spec, "name") == text
    found = []
    if where is not None:
        ids = select(_column(spec, spec.id_column)).where(where)
        found = list(session.execute(ids).scalars())
    if len(found) == 1:
        return bytes.fromhex(str(found[0])[2:])
    if len(found) > 1:
        raise UnknownNameError(f"{len(found)} {kind}s are named {text!r}; give the 0x id instead")
    raise UnknownNameError(_unknown(session, kind, text))


def _unknown(session: Session, kind: str, text: str) -> str:
    block = mirror_block(session)
    shape = "a name" if KINDS[kind].letter is None else f"a label like {KINDS[kind].letter}-17"
    where = (
        "the mirror is empty: run `aidledger index` first"
        if block is None
        else f"the mirror is at block {block:,}; if it was recorded since, run `aidledger index`"
    )
    return f"no {kind} {text!r} ({shape} or a 0x id) — {where}"


def name_of(session: Session, kind: str, key: bytes) -> str | None:
    """The name or label of an id, or None when the mirror does not know it."""
    spec = KINDS.get(kind)
    if spec is None:
        return None
    field = "name" if spec.letter is None else "seq"
    query = select(_column(spec, field)).where(_column(spec, spec.id_column) == "0x" + key.hex())
    value = session.execute(query).scalar()
    if value is None:
        return None
    return str(value) if spec.letter is None else label(kind, int(value))
