"""Python mirrors of the contracts' enums and input structs (field order = Solidity order)."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from enum import IntEnum

Bytes32 = bytes


class OrgKind(IntEnum):
    """IAidRegistry.OrgKind."""

    NONE = 0
    RELIEF_AGENCY = 1
    HOSPITAL = 2
    COMMUNITY = 3
    SUPPLIER = 4
    GOVERNMENT = 5
    OTHER = 6


class SiteKind(IntEnum):
    """IAidRegistry.SiteKind."""

    NONE = 0
    WAREHOUSE = 1
    RECIPIENT = 2


class EarmarkKind(IntEnum):
    """IFundLedger.EarmarkKind."""

    NONE = 0
    PURPOSE = 1
    REGION = 2
    CATEGORY = 3


class LotOrigin(IntEnum):
    """ISupplyLedger.LotOrigin."""

    NONE = 0
    IN_KIND_GIFT = 1
    PURCHASE = 2
    RECEIPT = 3


class DiscrepancyReason(IntEnum):
    """ISupplyLedger.DiscrepancyReason."""

    NONE = 0
    DAMAGED = 1
    LOST = 2
    SHORT = 3
    EXPIRED = 4
    REFUSED = 5


class AdjustmentReason(IntEnum):
    """ISupplyLedger.AdjustmentReason."""

    NONE = 0
    EXPIRED = 1
    DAMAGED = 2
    COUNT_CORRECTION = 3


class BeneficiaryUnit(IntEnum):
    """ISupplyLedger.BeneficiaryUnit."""

    NONE = 0
    PEOPLE = 1
    HOUSEHOLDS = 2


@dataclass(frozen=True)
class AbiStruct:
    """Base for input structs: `as_abi()` gives the tuple web3.py encodes."""

    def as_abi(self) -> tuple[object, ...]:
        """The struct as an ABI tuple, enums as ints."""
        return tuple(int(v) if isinstance(v, IntEnum) else v for v in astuple(self))


@dataclass(frozen=True)
class GiftInput(AbiStruct):
    """IFundLedger.GiftInput: one money gift."""

    gift_id: Bytes32
    currency: bytes
    amount: int
    earmark_kind: EarmarkKind
    earmark: Bytes32
    evidence_hash: Bytes32
    donor_commitment: Bytes32
    pledge_id: Bytes32
    public_name: str = ""


@dataclass(frozen=True)
class InKindInput(AbiStruct):
    """ISupplyLedger.InKindInput: one in-kind gift creating a lot."""

    gift_id: Bytes32
    lot_id: Bytes32
    item_id: Bytes32
    site_id: Bytes32
    quantity: int
    batch: Bytes32
    expiry: int
    donor_commitment: Bytes32
    evidence_hash: Bytes32
    public_name: str = ""


@dataclass(frozen=True)
class PurchaseInput(AbiStruct):
    """ISupplyLedger.PurchaseInput: a purchase spending an allocation and creating a lot."""

    purchase_id: Bytes32
    allocation_id: Bytes32
    supplier_id: Bytes32
    amount: int
    invoice_hash: Bytes32
    lot_id: Bytes32
    item_id: Bytes32
    site_id: Bytes32
    quantity: int
    batch: Bytes32
    expiry: int


@dataclass(frozen=True)
class DispatchLine(AbiStruct):
    """ISupplyLedger.DispatchLine."""

    lot_id: Bytes32
    quantity: int


@dataclass(frozen=True)
class ReceiptLine(AbiStruct):
    """ISupplyLedger.ReceiptLine."""

    line_index: int
    received: int
    reason: DiscrepancyReason = DiscrepancyReason.NONE
