"""What one transaction did, in domain words: its ledger events from `raw_events`, each with
a sentence (as data: `sentences.Sentence`, its English in `summary`) and the things (rows) it
names, by their names and labels.

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

from ledger.queries.models import Position, Result
from ledger.queries.names import KINDS, label
from ledger.queries.position import position_or_read
from ledger.queries.sentences import Money, Sentence, Value, code, english
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
    """One event of the transaction: `sentence` says what it did (kind and typed values, for
    any language); `summary` is that sentence in English (kept for clients that read it)."""

    seq: int
    name: str
    log_index: int
    emitter: str
    args: dict[str, Any]
    sentence: Sentence
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
    amount = Money(int(args.get("amount") or 0), currency or "")
    sentence = write(args, show, amount) if write else Sentence("event", {"name": event.name})
    gift_kind = "in_kind" if event.name == "InKindGiftRecorded" else "money"
    return TxEvent(
        seq=event.seq,
        name=event.name,
        log_index=event.log_index,
        emitter=event.emitter,
        args=args,
        sentence=sentence,
        summary=english(sentence),
        subjects=_subjects(args, names, gift_kind),
    )


Show = Callable[[str], str]
Write = Callable[[dict[str, Any], Show, Money], Sentence]


def _say(kind: str, **values: Value) -> Sentence:
    return Sentence(kind, values)


def _donor(args: Mapping[str, Any], kind: str, **values: Value) -> Sentence:
    """A gift's sentence: the donor's short id, and the public name when there is one."""
    values["donor"] = args["donorCommitment"][2:10]
    if args.get("publicName"):
        return Sentence(f"{kind}_named", {**values, "name": args["publicName"]})
    return Sentence(kind, values)


def _line_received(a: Mapping[str, Any], s: Show) -> Sentence:
    values: dict[str, Value] = {
        "line": a["lineIndex"],
        "shipment": s("shipmentId"),
        "received": a["received"],
    }
    if not a["declared"]:
        return Sentence("line_received_event", values)
    values.update(declared=a["declared"], reason=code("discrepancy_reason", a["reason"]))
    return Sentence("line_received_event_short", values)


def _adjusted(a: Mapping[str, Any], s: Show) -> Sentence:
    delta = int(a["delta"])
    return _say(
        "lot_increased" if delta >= 0 else "lot_decreased",
        lot=s("lotId"),
        quantity=abs(delta),
        reason=code("adjustment_reason", a["reason"]),
    )


_SENTENCES: dict[str, Write] = {
    "GiftRecorded": lambda a, s, m: _donor(a, "gift_received", amount=m),
    "InKindGiftRecorded": lambda a, s, m: _donor(a, "in_kind_received", lot=s("lotId")),
    "PledgeRecorded": lambda a, s, m: _say("pledge_recorded", amount=m),
    "FundsAllocated": lambda a, s, m: _say(
        "funds_allocated", amount=m, allocation=s("allocationId")
    ),
    "AllocationSpent": lambda a, s, m: _say(
        "allocation_spent", amount=m, allocation=s("allocationId"), purchase=s("purchaseId")
    ),
    "AllocationReleased": lambda a, s, m: _say(
        "allocation_released", amount=m, allocation=s("allocationId")
    ),
    "PurchaseRecorded": lambda a, s, m: _say(
        "purchase_recorded",
        purchase=s("purchaseId"),
        amount=m,
        supplier=s("supplierId"),
        lot=s("lotId"),
    ),
    "LotCreated": lambda a, s, m: _say(
        "lot_created",
        lot=s("lotId"),
        quantity=a["quantity"],
        item=s("itemId"),
        site=s("siteId"),
        origin=code("lot_origin", a["origin"]),
    ),
    "NeedPosted": lambda a, s, m: _say(
        "need_posted", site=s("siteId"), quantity=a["quantity"], item=s("itemId"), need=s("needId")
    ),
    "NeedClosed": lambda a, s, m: _say("need_closed", need=s("needId"), fulfilled=a["fulfilled"]),
    "ShipmentDispatched": lambda a, s, m: _say(
        "shipment_dispatched",
        shipment=s("shipmentId"),
        from_site=s("fromSite"),
        to_site=s("toSite"),
        lines=a["lineCount"],
    ),
    "ShipmentLineDispatched": lambda a, s, m: _say(
        "line_dispatched", line=a["lineIndex"], quantity=a["quantity"], lot=s("lotId")
    ),
    "ShipmentLineReceived": lambda a, s, m: _line_received(a, s),
    "ShipmentCompleted": lambda a, s, m: _say("shipment_completed", shipment=s("shipmentId")),
    "HandedOver": lambda a, s, m: _say(
        "handed_over",
        quantity=a["quantity"],
        lot=s("lotId"),
        beneficiaries=a["beneficiaries"],
        unit=code("beneficiary_unit", a["unit"]),
    ),
    "LotAdjusted": lambda a, s, m: _adjusted(a, s),
    "OrganisationRegistered": lambda a, s, m: _say("organisation_registered", name=a["name"]),
    "SiteRegistered": lambda a, s, m: _say(
        "site_registered", name=a["name"], region=str(a["region"])
    ),
    "ItemRegistered": lambda a, s, m: _say("item_registered", name=a["name"], unit=a["unit"]),
    "RoleChanged": lambda a, s, m: _say(
        "role_granted" if a["granted"] else "role_revoked",
        role=_short(a["role"]),
        account=a["account"],
    ),
    "PauseChanged": lambda a, s, m: _say("ledger_paused" if a["paused"] else "ledger_resumed"),
    "AttestationPosted": lambda a, s, m: _say(
        "attestation_posted",
        from_block=a["fromBlock"],
        to_block=a["toBlock"],
        seq=a["coveredSeq"],
    ),
    "LedgersBound": lambda a, s, m: _say("ledgers_bound"),
}
