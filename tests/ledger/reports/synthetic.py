"""A hand-written event history for the export tests that the devnet scenario does not reach
(releases, an allocation for a need, a time zone, text XML cannot carry): the real `Report` and
`Books` fold it, only the events are made up, shaped as `raw_events.args` stores them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from typing import Any

import orjson

from ledger.reports.build import Period, Report
from ledger.reports.events import ReportEvent
from ledger.reports.tables import Context

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
ACTOR = "0x00000000000000000000000000000000000000a1"
ZERO = "0x" + "00" * 32
REGISTRY, FUND, SUPPLY = ("0x" + c * 40 for c in "abc")
EMITTERS = {
    "OrganisationRegistered": REGISTRY,
    "SiteRegistered": REGISTRY,
    "ItemRegistered": REGISTRY,
    "GiftRecorded": FUND,
    "PledgeRecorded": FUND,
    "FundsAllocated": FUND,
    "AllocationReleased": FUND,
    "AllocationSpent": FUND,
}
SUPPLIER_NAME = 'Supply <b>&</b> "Co"\x01'  # markup, and a control character XML cannot carry
DONOR_NAME = "Li\x00 Wei"


def ident(kind: str, n: int = 1) -> str:
    """A bytes32 id as the mirror keeps it (lower-case hex)."""
    return "0x" + hashlib.sha256(f"{kind}:{n}".encode()).hexdigest()


def _history(gifts: int) -> list[tuple[str, int, dict[str, Any]]]:
    """(event, seconds after T0, args) in sequence order."""
    relief, supplier, hospital = ident("org", 1), ident("org", 2), ident("org", 3)
    ward, item, pool = ident("site", 1), ident("item", 1), ident("pool", 1)
    alloc, need_alloc, purchase = ident("alloc", 1), ident("alloc", 2), ident("purchase", 1)
    out: list[tuple[str, int, dict[str, Any]]] = [
        ("OrganisationRegistered", 0, {"orgId": relief, "kind": 1, "name": "Relief"}),
        ("OrganisationRegistered", 0, {"orgId": supplier, "kind": 4, "name": SUPPLIER_NAME}),
        ("OrganisationRegistered", 0, {"orgId": hospital, "kind": 2, "name": "City Hospital"}),
        (
            "SiteRegistered",
            0,
            {"siteId": ward, "orgId": hospital, "kind": 2, "region": "CN-HB", "name": "Ward 3"},
        ),
        ("ItemRegistered", 0, {"itemId": item, "category": ZERO, "unit": "box", "name": "masks"}),
    ]
    for g in range(gifts):
        named = g == 0
        out.append(
            (
                "GiftRecorded",
                60 + g,
                {
                    "giftId": ident("gift", g),
                    "poolId": pool,
                    "currency": "CNY",
                    "amount": 100_000 + g,
                    "earmarkKind": 0,
                    "earmark": ZERO,
                    "evidenceHash": ZERO,
                    "donorCommitment": ident("donor", g),
                    "pledgeId": ZERO,
                    "publicName": DONOR_NAME if named else "",
                },
            )
        )
    late = 72_000  # 20:00 UTC: the next day in Asia/Shanghai
    out += [
        (
            "PledgeRecorded",
            late,
            {
                "pledgeId": ident("pledge"),
                "currency": "JPY",
                "amount": 5_000,
                "earmarkKind": 0,
                "earmark": ZERO,
                "donorCommitment": ident("donor", 99),
                "dueDate": 0,
            },
        ),
        (
            "NeedPosted",
            late,
            {
                "needId": ident("need"),
                "siteId": ward,
                "itemId": item,
                "quantity": 10,
                "priority": 3,
                "deadline": 0,
            },
        ),
        (
            "FundsAllocated",
            late,
            {
                "allocationId": need_alloc,
                "poolId": pool,
                "amount": 30_000,
                "needId": ident("need"),
                "purpose": ZERO,
            },
        ),
        (
            "FundsAllocated",
            late,
            {
                "allocationId": alloc,
                "poolId": pool,
                "amount": 50_000,
                "needId": ZERO,
                "purpose": ident("purpose"),
            },
        ),
        (
            "AllocationReleased",
            late,
            {"allocationId": need_alloc, "poolId": pool, "amount": 12_345},
        ),
        (
            "AllocationSpent",
            late,
            {"allocationId": alloc, "purchaseId": purchase, "amount": 40_000},
        ),
        (
            "PurchaseRecorded",
            late,
            {
                "purchaseId": purchase,
                "allocationId": alloc,
                "lotId": ident("lot"),
                "supplierId": supplier,
                "amount": 40_000,
                "invoiceHash": ZERO,
            },
        ),
    ]
    return out


def events(gifts: int = 2) -> Iterator[ReportEvent]:
    """The history as sequenced events, one transaction each (a purchase's two share one)."""
    for seq, (name, after, args) in enumerate(_history(gifts), start=1):
        full = {**args, "actor": ACTOR, "seq": seq, "head": ZERO}
        tx = seq - 1 if name == "PurchaseRecorded" else seq
        emitter = EMITTERS.get(name, SUPPLY)
        log_index = 1 if name == "PurchaseRecorded" else 0
        text = orjson.dumps(full).decode()
        yield ReportEvent(
            seq, 100 + seq, T0 + after, f"0x{tx:064x}", log_index, emitter, name, full, text
        )


def report(gifts: int = 2, tz: str = "Asia/Shanghai") -> Report:
    """A report of January 2026 (in `tz`) over the history."""
    period = Period(date(2026, 1, 1), date(2026, 1, 31), tz)
    last = len(_history(gifts))
    context = Context(
        chain_id=31337,
        contracts={"AidRegistry": REGISTRY, "FundLedger": FUND, "SupplyLedger": SUPPLY},
        deployment_block=1,
        period_from=period.first.isoformat(),
        period_to=period.last.isoformat(),
        tz=tz,
        start=period.start,
        end=period.end,
        first_seq=1,
        last_seq=last,
        first_block=101,
        first_block_hash=ZERO,
        last_block=100 + last,
        last_block_hash=ZERO,
        head=ZERO,
        complete=True,
        filters={},
        names={REGISTRY: "AidRegistry", FUND: "FundLedger", SUPPLY: "SupplyLedger"},
    )
    return Report(context, events(gifts))
