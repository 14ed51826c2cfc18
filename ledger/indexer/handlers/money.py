"""Handlers of FundLedger events: gifts of money, pledges, pools, allocations and spending."""

from __future__ import annotations

from ledger.indexer import attribution
from ledger.indexer.handlers.args import (
    AllocationReleasedArgs,
    AllocationSpentArgs,
    FundsAllocatedArgs,
    GiftRecordedArgs,
    PledgeRecordedArgs,
)
from ledger.indexer.handlers.base import Context, Group, Key, gift_row, on, opt


@on(
    "FundLedger:GiftRecorded",
    reads=(Key("pools", "poolId"), Key("pledges", "pledgeId")),
)
def _gift(ctx: Context[GiftRecordedArgs]) -> None:
    a, unit = ctx.a, ctx.unit
    pool = unit["pools"].get(a["poolId"])
    if pool is None:
        pool = unit["pools"].insert(
            {
                "pool_id": a["poolId"],
                "currency": a["currency"],
                "earmark_kind": a["earmarkKind"],
                "earmark": opt(a["earmark"]),
                "received": 0,
                "allocated": 0,
            }
        )
    unit["pools"].add(pool, received=a["amount"])
    pledge_id = opt(a["pledgeId"])
    if pledge_id is not None:
        unit["pledges"].add(unit["pledges"].require(pledge_id), paid=a["amount"])
    unit["gifts"].insert(
        gift_row(
            ctx,
            kind=attribution.MONEY,
            pool_id=a["poolId"],
            currency=a["currency"],
            amount=a["amount"],
            unallocated=a["amount"],
            earmark_kind=a["earmarkKind"],
            earmark=opt(a["earmark"]),
            pledge_id=pledge_id,
        )
    )


@on("FundLedger:PledgeRecorded")
def _pledge(ctx: Context[PledgeRecordedArgs]) -> None:
    a = ctx.a
    ctx.unit["pledges"].insert(
        {
            "pledge_id": a["pledgeId"],
            "currency": a["currency"],
            "amount": a["amount"],
            "paid": 0,
            "earmark_kind": a["earmarkKind"],
            "earmark": opt(a["earmark"]),
            "donor_commitment": opt(a["donorCommitment"]),
            "due_date": a["dueDate"],
            "seq": ctx.seq,
        }
    )


@on(
    "FundLedger:FundsAllocated",
    reads=(Key("pools", "poolId"),),
)
def _allocated(ctx: Context[FundsAllocatedArgs]) -> None:
    a, unit = ctx.a, ctx.unit
    unit["pools"].add(unit["pools"].require(a["poolId"]), allocated=a["amount"])
    unit["allocations"].insert(
        {
            "allocation_id": a["allocationId"],
            "pool_id": a["poolId"],
            "amount": a["amount"],
            "spent": 0,
            "released": 0,
            "need_id": opt(a["needId"]),
            "purpose": opt(a["purpose"]),
            "actor": a["actor"],
            "seq": ctx.seq,
        }
    )
    attribution.allocate(unit, a["poolId"], a["allocationId"], a["amount"])


@on(
    "FundLedger:AllocationSpent",
    reads=(
        Key("allocations", "allocationId"),
        Group("gift_allocations", "allocation_id", "allocationId"),
    ),
)
def _spent(ctx: Context[AllocationSpentArgs]) -> None:
    a, unit = ctx.a, ctx.unit
    unit["allocations"].add(unit["allocations"].require(a["allocationId"]), spent=a["amount"])
    attribution.spend(unit, a["allocationId"], a["purchaseId"], a["amount"])


@on(
    "FundLedger:AllocationReleased",
    reads=(
        Key("allocations", "allocationId"),
        Key("pools", "poolId"),
        Group("gift_allocations", "allocation_id", "allocationId"),
    ),
)
def _released(ctx: Context[AllocationReleasedArgs]) -> None:
    a, unit = ctx.a, ctx.unit
    unit["allocations"].add(unit["allocations"].require(a["allocationId"]), released=a["amount"])
    unit["pools"].add(unit["pools"].require(a["poolId"]), allocated=-a["amount"])
    attribution.release(unit, a["allocationId"], a["amount"])
