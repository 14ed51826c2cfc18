"""What one transaction did, in domain words: its ledger events from `raw_events`, each with
an English sentence and the things (rows) it names, by their names and labels.

Arguments stay as the chain gave them (`args`, the mirror's formats: 0x hex, currency codes,
integers), so a reader can check each one against the log itself; the sentence is for people.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, SQLModel, col

from ledger.chain.types import AdjustmentReason, BeneficiaryUnit, DiscrepancyReason, LotOrigin
from ledger.queries.models import Position, Result
from ledger.queries.names import KINDS, label
from ledger.queries.position import position_or_read
from ledger.store.models import Allocation, Block, Pool, RawEvent

# argument name -> kind of thing it names
SUBJECTS = {
    "giftId": "gift",
    "lotId": "lot",
    "parentLotId": "lot",
    "shipmentId": "shipment",
    "needId": "need",
    "allocationId": "allocation",
    "purchaseId": "purchase",
    "siteId": "site",
    "fromSite": "site",
    "toSite": "site",
    "itemId": "item",
    "orgId": "org",
    "supplierId": "org",
    "pledgeId": "pledge",
    "poolId": "pool",
    "handOverId": "hand_over",
    "adjustmentId": "adjustment",
    "attestationId": "attestation",
}
ZERO = "0x" + "00" * 32


class Subject(SQLModel):
    """A thing an event names: its kind, 0x id, and name or label where it has one."""

    kind: str
    id: str
    name: str | None


class TxEvent(SQLModel):
    """One event of the transaction."""

    seq: int
    name: str
    log_index: int
    emitter: str
    args: dict[str, Any]
    summary: str
    subjects: list[Subject]


class TxPublic(SQLModel):
    """A transaction's ledger events in log order; empty when it emitted none."""

    tx_hash: str
    block: int
    time: int
    events: list[TxEvent]


def transaction(
    session: Session, tx_hash: str, *, at: Position | None = None
) -> Result[TxPublic] | None:
    """The ledger events of `tx_hash` (0x hex), or None when the mirror holds none of it.
    One query for the events, one per kind of named thing, one for currencies."""
    position = position_or_read(session, at)
    query = (
        select(RawEvent, col(Block.timestamp))
        .join(Block, col(Block.number) == col(RawEvent.block_number))
        .where(col(RawEvent.tx_hash) == tx_hash.lower())
    )
    if position.chain_id is not None:  # the primary key's prefix
        query = query.where(col(RawEvent.chain_id) == position.chain_id)
    rows = session.execute(query.order_by(col(RawEvent.log_index))).all()
    if not rows:
        return None
    decoded = [(event, json.loads(event.args)) for event, _ in rows]
    names = _names(session, [args for _, args in decoded])
    currencies = _currencies(session, [args for _, args in decoded])
    events = [_event(e, args, names, currencies) for e, args in decoded]
    first = rows[0][0]
    data = TxPublic(tx_hash=first.tx_hash, block=first.block_number, time=rows[0][1], events=events)
    return Result[TxPublic](data=data, position=position)


def _names(session: Session, all_args: list[dict[str, Any]]) -> dict[str, str]:
    """0x id -> name or label, for the named kinds (one query per kind present)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for args in all_args:
        for arg, kind in SUBJECTS.items():
            if kind in KINDS and args.get(arg) not in (None, ZERO):
                wanted[kind].add(args[arg])
    found: dict[str, str] = {}
    for kind, ids in wanted.items():
        spec = KINDS[kind]
        key = getattr(spec.table, spec.id_column)
        shown = getattr(spec.table, "name" if spec.letter is None else "seq")
        for key_value, value in session.execute(select(key, shown).where(key.in_(ids))).all():
            found[key_value] = value if spec.letter is None else label(kind, value)
    return found


def _currencies(session: Session, all_args: list[dict[str, Any]]) -> dict[str, str]:
    """pool or allocation id -> its currency, for events that carry no currency."""
    pools = {a["poolId"] for a in all_args if "poolId" in a and "currency" not in a}
    allocations = {a["allocationId"] for a in all_args if "allocationId" in a and "poolId" not in a}
    if not pools and not allocations:
        return {}
    rows = session.execute(
        select(col(Allocation.allocation_id), col(Pool.pool_id), col(Pool.currency))
        .join(Pool, col(Pool.pool_id) == col(Allocation.pool_id))
        .where(col(Allocation.allocation_id).in_(allocations))
        .union_all(
            select(col(Pool.pool_id), col(Pool.pool_id), col(Pool.currency)).where(
                col(Pool.pool_id).in_(pools)
            )
        )
    ).all()
    return {key: currency for key, _, currency in rows}


def money(currency: str | None, minor: int) -> str:
    """Minor units as `CNY 1,234.56` (two decimals; the portal formats per locale)."""
    return f"{currency or ''} {minor // 100:,}.{minor % 100:02d}".strip()


def _short(value: str) -> str:
    return value[:10] + "…"


def _subjects(args: Mapping[str, Any], names: dict[str, str], gift_kind: str) -> list[Subject]:
    found = []
    for arg, kind in SUBJECTS.items():
        value = args.get(arg)
        if value is None or value == ZERO:
            continue
        shown = kind if kind != "gift" else f"gift:{gift_kind}"
        found.append(Subject(kind=shown, id=value, name=names.get(value)))
    return found


def _event(
    event: RawEvent, args: dict[str, Any], names: dict[str, str], currencies: dict[str, str]
) -> TxEvent:
    def show(arg: str) -> str:
        value = args.get(arg)
        if isinstance(value, str) and value.startswith("0x") and len(value) == 66:
            return names.get(value) or _short(value)
        return str(value)

    currency = (
        args.get("currency")
        or currencies.get(args.get("poolId") or "")
        or (currencies.get(args.get("allocationId") or ""))
    )
    write = _SENTENCES.get(event.name)
    summary = write(args, show, money(currency, int(args.get("amount") or 0))) if write else ""
    gift_kind = "in_kind" if event.name == "InKindGiftRecorded" else "money"
    return TxEvent(
        seq=event.seq,
        name=event.name,
        log_index=event.log_index,
        emitter=event.emitter,
        args=args,
        summary=summary or event.name,
        subjects=_subjects(args, names, gift_kind),
    )


Show = Callable[[str], str]


def _enum(kind: type[Any], value: int) -> str:
    try:
        return str(kind(value).name.lower().replace("_", " "))
    except ValueError:
        return str(value)


_SENTENCES: dict[str, Callable[[dict[str, Any], Show, str], str]] = {
    "GiftRecorded": lambda a, s, m: (
        f"Gift of {m} received (donor {a['donorCommitment'][2:10]})"
        + (f" from {a['publicName']}" if a.get("publicName") else "")
    ),
    "InKindGiftRecorded": lambda a, s, m: (
        f"In-kind gift received as lot {s('lotId')} (donor {a['donorCommitment'][2:10]})"
        + (f" from {a['publicName']}" if a.get("publicName") else "")
    ),
    "PledgeRecorded": lambda a, s, m: f"Pledge of {m} recorded",
    "FundsAllocated": lambda a, s, m: f"{m} allocated as {s('allocationId')}",
    "AllocationSpent": lambda a, s, m: (
        f"{m} of allocation {s('allocationId')} spent on purchase {s('purchaseId')}"
    ),
    "AllocationReleased": lambda a, s, m: f"{m} of allocation {s('allocationId')} released",
    "PurchaseRecorded": lambda a, s, m: (
        f"Purchase {s('purchaseId')} of {m} from {s('supplierId')} into lot {s('lotId')}"
    ),
    "LotCreated": lambda a, s, m: (
        f"Lot {s('lotId')} of {a['quantity']:,} {s('itemId')} created at {s('siteId')} "
        f"({_enum(LotOrigin, a['origin'])})"
    ),
    "NeedPosted": lambda a, s, m: (
        f"{s('siteId')} needs {a['quantity']:,} {s('itemId')} (need {s('needId')})"
    ),
    "NeedClosed": lambda a, s, m: f"Need {s('needId')} closed, {a['fulfilled']:,} handed over",
    "ShipmentDispatched": lambda a, s, m: (
        f"Shipment {s('shipmentId')} dispatched from {s('fromSite')} to {s('toSite')}"
        f" ({a['lineCount']} lines)"
    ),
    "ShipmentLineDispatched": lambda a, s, m: (
        f"Line {a['lineIndex']}: {a['quantity']:,} units of lot {s('lotId')}"
    ),
    "ShipmentLineReceived": lambda a, s, m: (
        f"Line {a['lineIndex']} of shipment {s('shipmentId')}: {a['received']:,} received"
        + (f", {a['declared']:,} {_enum(DiscrepancyReason, a['reason'])}" if a["declared"] else "")
    ),
    "ShipmentCompleted": lambda a, s, m: f"Shipment {s('shipmentId')} completed",
    "HandedOver": lambda a, s, m: (
        f"{a['quantity']:,} units of lot {s('lotId')} handed over to {a['beneficiaries']:,} "
        f"{_enum(BeneficiaryUnit, a['unit'])}"
    ),
    "LotAdjusted": lambda a, s, m: (
        f"Lot {s('lotId')} adjusted by {a['delta']:+,} ({_enum(AdjustmentReason, a['reason'])})"
    ),
    "OrganisationRegistered": lambda a, s, m: f"Organisation {a['name']} registered",
    "SiteRegistered": lambda a, s, m: f"Site {a['name']} registered in {a['region']}",
    "ItemRegistered": lambda a, s, m: f"Item {a['name']} registered (unit {a['unit']})",
    "RoleChanged": lambda a, s, m: (
        f"Role {_short(a['role'])} {'granted to' if a['granted'] else 'revoked from'} "
        f"{a['account']}"
    ),
    "PauseChanged": lambda a, s, m: "Ledger paused" if a["paused"] else "Ledger resumed",
    "AttestationPosted": lambda a, s, m: (
        f"Attestation of blocks {a['fromBlock']:,} to {a['toBlock']:,}"
        f" up to seq {a['coveredSeq']:,}"
    ),
    "LedgersBound": lambda a, s, m: "Fund and supply ledgers bound to the registry",
}
