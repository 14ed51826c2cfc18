"""One frozen command per staff action, carrying the source record it came from.

A command's on-chain id is derived from its `source` (a bank-statement line, a delivery note,
a form submission id), so the same record always gives the same id and a retry is recognised
on chain as the same write. `call` builds the contract call; `marker` names the event whose
first indexed argument is that id, which is how an earlier recording is found again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from eth_abi import encode
from eth_typing import ChecksumAddress
from eth_utils import keccak
from web3.contract.contract import ContractFunction

from ledger.chain.bindings import AidLedger
from ledger.chain.ids import ZERO32, derive_id
from ledger.chain.types import (
    AdjustmentReason,
    BeneficiaryUnit,
    DispatchLine,
    EarmarkKind,
    GiftInput,
    InKindInput,
    OrgKind,
    PurchaseInput,
    ReceiptLine,
    SiteKind,
)
from ledger.errors import AidLedgerValueError


@dataclass(frozen=True)
class Command:
    """Base: `source` identifies the real-world record; `namespace` keeps id spaces apart."""

    source: str
    namespace: ClassVar[str]
    contract: ClassVar[str]  # "registry" | "fund" | "supply"
    event: ClassVar[str]  # the event whose first indexed argument is `record_id`
    # Errors that mean "this exact write happened before" besides a duplicate id.
    repeat_errors: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        if not self.source.strip():
            raise AidLedgerValueError(
                f"{type(self).__name__} needs a source record (a reference, line or form id) "
                "so that a retry is recognised as the same write"
            )

    @property
    def record_id(self) -> bytes:
        """The bytes32 id this write records under."""
        return derive_id(self.namespace, self.source)

    @property
    def topics(self) -> tuple[bytes, ...]:
        """The indexed arguments (after the event's topic0) that find this write on chain."""
        return (self.record_id,)

    def call(self, ledger: AidLedger) -> ContractFunction:
        """The contract call that performs this write."""
        raise NotImplementedError


@dataclass(frozen=True)
class RegisterOrganisation(Command):
    """Admin: an organisation (relief agency, hospital, supplier, ...)."""

    kind: OrgKind
    name: str
    namespace: ClassVar[str] = "org"
    contract: ClassVar[str] = "registry"
    event: ClassVar[str] = "OrganisationRegistered"

    def call(self, ledger: AidLedger) -> ContractFunction:
        """registerOrganisation."""
        fn = ledger.registry.functions.registerOrganisation
        return fn(self.record_id, int(self.kind), self.name)


@dataclass(frozen=True)
class RegisterSite(Command):
    """Admin: a warehouse or recipient site of an organisation, in a region (bytes8)."""

    org_id: bytes
    kind: SiteKind
    region: bytes
    name: str
    namespace: ClassVar[str] = "site"
    contract: ClassVar[str] = "registry"
    event: ClassVar[str] = "SiteRegistered"

    def call(self, ledger: AidLedger) -> ContractFunction:
        """registerSite."""
        fn = ledger.registry.functions.registerSite
        return fn(self.record_id, self.org_id, int(self.kind), self.region, self.name)


@dataclass(frozen=True)
class RegisterItem(Command):
    """Coordinator: an item of the catalogue with its unit."""

    category: bytes
    unit: str
    name: str
    namespace: ClassVar[str] = "item"
    contract: ClassVar[str] = "registry"
    event: ClassVar[str] = "ItemRegistered"

    def call(self, ledger: AidLedger) -> ContractFunction:
        """registerItem."""
        fn = ledger.registry.functions.registerItem
        return fn(self.record_id, self.category, self.unit, self.name)


@dataclass(frozen=True)
class RecordGift(Command):
    """Intake: one money gift (integer minor units of an ISO 4217 currency)."""

    currency: bytes
    amount: int
    donor_commitment: bytes
    evidence_hash: bytes
    earmark_kind: EarmarkKind = EarmarkKind.NONE
    earmark: bytes = ZERO32
    pledge_id: bytes = ZERO32
    public_name: str = ""
    namespace: ClassVar[str] = "gift"
    contract: ClassVar[str] = "fund"
    event: ClassVar[str] = "GiftRecorded"

    def as_input(self) -> GiftInput:
        """The ABI struct, also used by batches."""
        return GiftInput(
            self.record_id,
            self.currency,
            self.amount,
            self.earmark_kind,
            self.earmark,
            self.evidence_hash,
            self.donor_commitment,
            self.pledge_id,
            self.public_name,
        )

    def call(self, ledger: AidLedger) -> ContractFunction:
        """recordGift."""
        return ledger.fund.functions.recordGift(self.as_input().as_abi())


@dataclass(frozen=True)
class RecordGifts(Command):
    """Intake: many money gifts in one transaction, all or nothing (a bank-statement batch).

    The batch is found again by its first gift; a batch that repeats any recorded gift is
    refused whole, so callers drop gifts already on chain (`FundLedger.giftExists`) first.
    """

    gifts: tuple[RecordGift, ...]
    namespace: ClassVar[str] = "gift"
    contract: ClassVar[str] = "fund"
    event: ClassVar[str] = "GiftRecorded"

    @property
    def record_id(self) -> bytes:
        """The first gift's id."""
        if not self.gifts:
            raise AidLedgerValueError("a batch of gifts needs at least one gift")
        return self.gifts[0].record_id

    def call(self, ledger: AidLedger) -> ContractFunction:
        """recordGifts."""
        return ledger.fund.functions.recordGifts([g.as_input().as_abi() for g in self.gifts])


@dataclass(frozen=True)
class RecordPledge(Command):
    """Intake: a promise of money, paid later by gifts that name it."""

    currency: bytes
    amount: int
    donor_commitment: bytes
    due_date: int
    earmark_kind: EarmarkKind = EarmarkKind.NONE
    earmark: bytes = ZERO32
    namespace: ClassVar[str] = "pledge"
    contract: ClassVar[str] = "fund"
    event: ClassVar[str] = "PledgeRecorded"

    def call(self, ledger: AidLedger) -> ContractFunction:
        """recordPledge."""
        return ledger.fund.functions.recordPledge(
            self.record_id,
            self.currency,
            self.amount,
            int(self.earmark_kind),
            self.earmark,
            self.donor_commitment,
            self.due_date,
        )


@dataclass(frozen=True)
class AllocateFunds(Command):
    """Coordinator: money out of a pool (currency + earmark) for a need or a purpose."""

    currency: bytes
    amount: int
    earmark_kind: EarmarkKind = EarmarkKind.NONE
    earmark: bytes = ZERO32
    need_id: bytes = ZERO32
    purpose: bytes = ZERO32
    namespace: ClassVar[str] = "allocation"
    contract: ClassVar[str] = "fund"
    event: ClassVar[str] = "FundsAllocated"

    def call(self, ledger: AidLedger) -> ContractFunction:
        """allocateFunds."""
        return ledger.fund.functions.allocateFunds(
            self.record_id,
            self.currency,
            int(self.earmark_kind),
            self.earmark,
            self.amount,
            self.need_id,
            self.purpose,
        )


@dataclass(frozen=True)
class _OnExisting(Command):
    """A write about something that already has an id (`target`): the id is the target's."""

    target: bytes
    namespace: ClassVar[str] = ""

    @property
    def record_id(self) -> bytes:
        """The target's id: the event that records this write is keyed by it."""
        return self.target


@dataclass(frozen=True)
class ReleaseAllocation(_OnExisting):
    """Coordinator: return an allocation's unspent remainder to its pool."""

    contract: ClassVar[str] = "fund"
    event: ClassVar[str] = "AllocationReleased"
    # nothing left to release: released before (found by its event) or spent in full
    repeat_errors: ClassVar[tuple[str, ...]] = ("FundLedgerInsufficientAllocation",)

    def call(self, ledger: AidLedger) -> ContractFunction:
        """releaseAllocation."""
        return ledger.fund.functions.releaseAllocation(self.target)


@dataclass(frozen=True)
class RecordInKindGift(Command):
    """Intake: goods given into a warehouse; they become a new lot."""

    item_id: bytes
    site_id: bytes
    quantity: int
    donor_commitment: bytes
    evidence_hash: bytes
    batch: bytes = ZERO32
    expiry: int = 0
    public_name: str = ""
    namespace: ClassVar[str] = "inkind"
    contract: ClassVar[str] = "supply"
    event: ClassVar[str] = "InKindGiftRecorded"

    @property
    def lot_id(self) -> bytes:
        """The lot the goods become."""
        return derive_id("lot", self.namespace, self.source)

    def call(self, ledger: AidLedger) -> ContractFunction:
        """recordInKindGift."""
        gift = InKindInput(
            self.record_id,
            self.lot_id,
            self.item_id,
            self.site_id,
            self.quantity,
            self.batch,
            self.expiry,
            self.donor_commitment,
            self.evidence_hash,
            self.public_name,
        )
        return ledger.supply.functions.recordInKindGift(gift.as_abi())


@dataclass(frozen=True)
class RecordPurchase(Command):
    """Coordinator: goods bought with an allocation; they become a new lot at a warehouse."""

    allocation_id: bytes
    supplier_id: bytes
    amount: int
    invoice_hash: bytes
    item_id: bytes
    site_id: bytes
    quantity: int
    batch: bytes = ZERO32
    expiry: int = 0
    namespace: ClassVar[str] = "purchase"
    contract: ClassVar[str] = "supply"
    event: ClassVar[str] = "PurchaseRecorded"

    @property
    def lot_id(self) -> bytes:
        """The lot the goods become."""
        return derive_id("lot", self.namespace, self.source)

    def call(self, ledger: AidLedger) -> ContractFunction:
        """recordPurchase."""
        purchase = PurchaseInput(
            self.record_id,
            self.allocation_id,
            self.supplier_id,
            self.amount,
            self.invoice_hash,
            self.lot_id,
            self.item_id,
            self.site_id,
            self.quantity,
            self.batch,
            self.expiry,
        )
        return ledger.supply.functions.recordPurchase(purchase.as_abi())


@dataclass(frozen=True)
class PostNeed(Command):
    """Recipient or coordinator: a recipient site needs a quantity of an item."""

    site_id: bytes
    item_id: bytes
    quantity: int
    priority: int = 1
    deadline: int = 0
    namespace: ClassVar[str] = "need"
    contract: ClassVar[str] = "supply"
    event: ClassVar[str] = "NeedPosted"

    def call(self, ledger: AidLedger) -> ContractFunction:
        """postNeed."""
        return ledger.supply.functions.postNeed(
            self.record_id, self.site_id, self.item_id, self.quantity, self.priority, self.deadline
        )


@dataclass(frozen=True)
class CloseNeed(_OnExisting):
    """Recipient or coordinator: close a need (met elsewhere, or no longer wanted)."""

    contract: ClassVar[str] = "supply"
    event: ClassVar[str] = "NeedClosed"
    repeat_errors: ClassVar[tuple[str, ...]] = ("SupplyLedgerNeedClosed",)

    def call(self, ledger: AidLedger) -> ContractFunction:
        """closeNeed."""
        return ledger.supply.functions.closeNeed(self.target)


@dataclass(frozen=True)
class DispatchShipment(Command):
    """Site operator: goods leave their site for another, in lines of lot + quantity."""

    from_site: bytes
    to_site: bytes
    lines: tuple[DispatchLine, ...]
    namespace: ClassVar[str] = "shipment"
    contract: ClassVar[str] = "supply"
    event: ClassVar[str] = "ShipmentDispatched"

    def call(self, ledger: AidLedger) -> ContractFunction:
        """dispatchShipment."""
        lines = [line.as_abi() for line in self.lines]
        fn = ledger.supply.functions.dispatchShipment
        return fn(self.record_id, self.from_site, self.to_site, lines)


@dataclass(frozen=True)
class ReceiveShipment(_OnExisting):
    """Site operator: lines of a shipment received at their site, shortfalls with a reason."""

    lines: tuple[ReceiptLine, ...] = ()
    contract: ClassVar[str] = "supply"
    event: ClassVar[str] = "ShipmentLineReceived"
    repeat_errors: ClassVar[tuple[str, ...]] = ("SupplyLedgerLineSettled",)

    def call(self, ledger: AidLedger) -> ContractFunction:
        """receiveShipment."""
        lines = [line.as_abi() for line in self.lines]
        return ledger.supply.functions.receiveShipment(self.target, lines)


@dataclass(frozen=True)
class HandOver(Command):
    """Site operator: units of a lot handed to beneficiaries (a count, never names)."""

    lot_id: bytes
    need_id: bytes
    quantity: int
    beneficiaries: int
    unit: BeneficiaryUnit = BeneficiaryUnit.PEOPLE
    namespace: ClassVar[str] = "handover"
    contract: ClassVar[str] = "supply"
    event: ClassVar[str] = "HandedOver"

    def call(self, ledger: AidLedger) -> ContractFunction:
        """recordHandOver."""
        return ledger.supply.functions.recordHandOver(
            self.record_id,
            self.lot_id,
            self.need_id,
            self.quantity,
            self.beneficiaries,
            int(self.unit),
        )


@dataclass(frozen=True)
class Adjust(Command):
    """Site operator: a lot's count changed in place (expired, damaged, count correction)."""

    lot_id: bytes
    delta: int
    reason: AdjustmentReason
    namespace: ClassVar[str] = "adjustment"
    contract: ClassVar[str] = "supply"
    event: ClassVar[str] = "LotAdjusted"

    def call(self, ledger: AidLedger) -> ContractFunction:
        """recordAdjustment."""
        fn = ledger.supply.functions.recordAdjustment
        return fn(self.record_id, self.lot_id, self.delta, int(self.reason))


@dataclass(frozen=True)
class Attest(Command):
    """Auditor: a report's hash and the ledger position it covers."""

    report_hash: bytes
    from_block: int
    to_block: int
    covered_seq: int
    covered_head: bytes
    namespace: ClassVar[str] = "attestation"
    contract: ClassVar[str] = "registry"
    event: ClassVar[str] = "AttestationPosted"

    def call(self, ledger: AidLedger) -> ContractFunction:
        """attest."""
        return ledger.registry.functions.attest(
            self.record_id,
            self.report_hash,
            self.from_block,
            self.to_block,
            self.covered_seq,
            self.covered_head,
        )


@dataclass(frozen=True)
class ChangeRole(Command):
    """Admin: grant or revoke a role; a site's operator role is `operatorRole(siteId)`.

    Granting a role held already, or revoking one not held, changes nothing and emits nothing.
    """

    role: bytes
    account: ChecksumAddress
    grant: bool = True
    contract: ClassVar[str] = "registry"
    event: ClassVar[str] = "RoleChanged"

    @property
    def record_id(self) -> bytes:
        """The role."""
        return self.role

    @property
    def topics(self) -> tuple[bytes, ...]:
        """Role and account."""
        return (self.role, bytes(12) + bytes.fromhex(self.account[2:]))

    def call(self, ledger: AidLedger) -> ContractFunction:
        """grantRole or revokeRole."""
        fn = (
            ledger.registry.functions.grantRole
            if self.grant
            else ledger.registry.functions.revokeRole
        )
        return fn(self.role, self.account)


def operator_role(site_id: bytes) -> bytes:
    """A site's operator role, as `AidRegistry.operatorRole(siteId)` computes it."""
    return keccak(encode(["string", "bytes32"], ["AIDLEDGER_SITE_OPERATOR", site_id]))


@dataclass(frozen=True)
class GrantSiteOperator(Command):
    """Admin: make `account` an operator of a registered site."""

    site_id: bytes
    account: ChecksumAddress
    contract: ClassVar[str] = "registry"
    event: ClassVar[str] = "RoleChanged"

    @property
    def record_id(self) -> bytes:
        """The site's operator role."""
        return operator_role(self.site_id)

    @property
    def topics(self) -> tuple[bytes, ...]:
        """Role and account."""
        return (self.record_id, bytes(12) + bytes.fromhex(self.account[2:]))

    def call(self, ledger: AidLedger) -> ContractFunction:
        """grantSiteOperator."""
        return ledger.registry.functions.grantSiteOperator(self.site_id, self.account)
