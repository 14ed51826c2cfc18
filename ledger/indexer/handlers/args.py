"""Decoded arguments of each sequenced event, as handlers see them.

Generated from the ABIs by `python -m ledger.indexer.handlers.gen_args`; do not edit.
"""

from __future__ import annotations

from typing import TypedDict


class AttestationPostedArgs(TypedDict):
    """AidRegistry.AttestationPosted."""

    attestationId: str
    reportHash: str
    fromBlock: int
    toBlock: int
    coveredSeq: int
    coveredHead: str
    actor: str
    seq: int
    head: str


class ItemRegisteredArgs(TypedDict):
    """AidRegistry.ItemRegistered."""

    itemId: str
    category: str
    unit: str
    name: str
    actor: str
    seq: int
    head: str


class LedgersBoundArgs(TypedDict):
    """AidRegistry.LedgersBound."""

    fundLedger: str
    supplyLedger: str
    actor: str
    seq: int
    head: str


class OrganisationRegisteredArgs(TypedDict):
    """AidRegistry.OrganisationRegistered."""

    orgId: str
    kind: int
    name: str
    actor: str
    seq: int
    head: str


class PauseChangedArgs(TypedDict):
    """AidRegistry.PauseChanged."""

    paused: bool
    actor: str
    seq: int
    head: str


class RoleChangedArgs(TypedDict):
    """AidRegistry.RoleChanged."""

    role: str
    account: str
    granted: bool
    actor: str
    seq: int
    head: str


class SiteRegisteredArgs(TypedDict):
    """AidRegistry.SiteRegistered."""

    siteId: str
    orgId: str
    kind: int
    region: str
    name: str
    actor: str
    seq: int
    head: str


class AllocationReleasedArgs(TypedDict):
    """FundLedger.AllocationReleased."""

    allocationId: str
    poolId: str
    actor: str
    amount: int
    seq: int
    head: str


class AllocationSpentArgs(TypedDict):
    """FundLedger.AllocationSpent."""

    allocationId: str
    purchaseId: str
    actor: str
    amount: int
    seq: int
    head: str


class FundsAllocatedArgs(TypedDict):
    """FundLedger.FundsAllocated."""

    allocationId: str
    poolId: str
    actor: str
    amount: int
    needId: str
    purpose: str
    seq: int
    head: str


class GiftRecordedArgs(TypedDict):
    """FundLedger.GiftRecorded."""

    giftId: str
    poolId: str
    actor: str
    currency: str
    amount: int
    earmarkKind: int
    earmark: str
    evidenceHash: str
    donorCommitment: str
    pledgeId: str
    publicName: str
    seq: int
    head: str


class PledgeRecordedArgs(TypedDict):
    """FundLedger.PledgeRecorded."""

    pledgeId: str
    actor: str
    currency: str
    amount: int
    earmarkKind: int
    earmark: str
    donorCommitment: str
    dueDate: int
    seq: int
    head: str


class HandedOverArgs(TypedDict):
    """SupplyLedger.HandedOver."""

    handOverId: str
    lotId: str
    needId: str
    quantity: int
    beneficiaries: int
    unit: int
    actor: str
    seq: int
    head: str


class InKindGiftRecordedArgs(TypedDict):
    """SupplyLedger.InKindGiftRecorded."""

    giftId: str
    lotId: str
    actor: str
    donorCommitment: str
    evidenceHash: str
    publicName: str
    seq: int
    head: str


class LotAdjustedArgs(TypedDict):
    """SupplyLedger.LotAdjusted."""

    adjustmentId: str
    lotId: str
    actor: str
    delta: int
    reason: int
    seq: int
    head: str


class LotCreatedArgs(TypedDict):
    """SupplyLedger.LotCreated."""

    lotId: str
    itemId: str
    siteId: str
    quantity: int
    batch: str
    expiry: int
    origin: int
    originId: str
    parentLotId: str
    actor: str
    seq: int
    head: str


class NeedClosedArgs(TypedDict):
    """SupplyLedger.NeedClosed."""

    needId: str
    fulfilled: int
    actor: str
    seq: int
    head: str


class NeedPostedArgs(TypedDict):
    """SupplyLedger.NeedPosted."""

    needId: str
    siteId: str
    itemId: str
    quantity: int
    priority: int
    deadline: int
    actor: str
    seq: int
    head: str


class PurchaseRecordedArgs(TypedDict):
    """SupplyLedger.PurchaseRecorded."""

    purchaseId: str
    allocationId: str
    lotId: str
    supplierId: str
    amount: int
    invoiceHash: str
    actor: str
    seq: int
    head: str


class ShipmentCompletedArgs(TypedDict):
    """SupplyLedger.ShipmentCompleted."""

    shipmentId: str
    seq: int
    head: str


class ShipmentDispatchedArgs(TypedDict):
    """SupplyLedger.ShipmentDispatched."""

    shipmentId: str
    fromSite: str
    toSite: str
    lineCount: int
    actor: str
    seq: int
    head: str


class ShipmentLineDispatchedArgs(TypedDict):
    """SupplyLedger.ShipmentLineDispatched."""

    shipmentId: str
    lotId: str
    lineIndex: int
    quantity: int
    seq: int
    head: str


class ShipmentLineReceivedArgs(TypedDict):
    """SupplyLedger.ShipmentLineReceived."""

    shipmentId: str
    lotId: str
    actor: str
    lineIndex: int
    received: int
    declared: int
    reason: int
    seq: int
    head: str
