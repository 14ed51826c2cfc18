"""Typed bindings: one method per contract write, one per view the rest of the code needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3.contract import Contract
from web3.types import BlockIdentifier, TxReceipt

from ledger.chain.artifacts import load_artifact
from ledger.chain.client import ChainClient
from ledger.chain.deployment import Deployment
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

DEFAULT_ADMIN_ROLE = b"\x00" * 32
INTAKE_ROLE = keccak(text="AIDLEDGER_INTAKE")
COORDINATOR_ROLE = keccak(text="AIDLEDGER_COORDINATOR")
AUDITOR_ROLE = keccak(text="AIDLEDGER_AUDITOR")
MAX_VALUE = 2**63 - 1
"""The largest amount, quantity or running total the ledgers accept (the contracts' MAX_VALUE):
the largest signed 64-bit integer, so every value on chain fits the mirror's BIGINT columns."""


@dataclass
class AidLedger:
    """The deployed system: registry, fund ledger and supply ledger behind one object."""

    client: ChainClient
    deployment: Deployment
    registry: Contract
    fund: Contract
    supply: Contract

    @classmethod
    def attach(cls, client: ChainClient, deployment: Deployment) -> AidLedger:
        """Bind to the contracts named by `deployment`."""

        def bind(address: str, name: str) -> Contract:
            return client.w3.eth.contract(address=address, abi=load_artifact(name).abi)  # type: ignore[call-overload,no-any-return]

        return cls(
            client,
            deployment,
            bind(deployment.registry, "AidRegistry"),
            bind(deployment.fund_ledger, "FundLedger"),
            bind(deployment.supply_ledger, "SupplyLedger"),
        )

    # ----------------------------------------------------------------- registry writes

    def grant_role(self, admin: LocalAccount, role: bytes, account: str) -> TxReceipt:
        """Grant a global role (INTAKE_ROLE, COORDINATOR_ROLE, AUDITOR_ROLE, DEFAULT_ADMIN_ROLE)."""
        return self.client.send(admin, self.registry.functions.grantRole(role, account))

    def revoke_role(self, admin: LocalAccount, role: bytes, account: str) -> TxReceipt:
        """Revoke a role."""
        return self.client.send(admin, self.registry.functions.revokeRole(role, account))

    def grant_site_operator(self, admin: LocalAccount, site_id: bytes, account: str) -> TxReceipt:
        """Make `account` an operator of `site_id`."""
        return self.client.send(admin, self.registry.functions.grantSiteOperator(site_id, account))

    def pause(self, admin: LocalAccount) -> TxReceipt:
        """Stop every write until `unpause`."""
        return self.client.send(admin, self.registry.functions.pause())

    def unpause(self, admin: LocalAccount) -> TxReceipt:
        """Resume writes."""
        return self.client.send(admin, self.registry.functions.unpause())

    def register_organisation(
        self, admin: LocalAccount, org_id: bytes, kind: OrgKind, name: str
    ) -> TxReceipt:
        """Register an organisation."""
        fn = self.registry.functions.registerOrganisation(org_id, int(kind), name)
        return self.client.send(admin, fn)

    def register_site(
        self,
        admin: LocalAccount,
        site_id: bytes,
        org_id: bytes,
        kind: SiteKind,
        region: bytes,
        name: str,
    ) -> TxReceipt:
        """Register a warehouse or recipient site."""
        fn = self.registry.functions.registerSite(site_id, org_id, int(kind), region, name)
        return self.client.send(admin, fn)

    def register_item(
        self, coordinator: LocalAccount, item_id: bytes, category: bytes, unit: str, name: str
    ) -> TxReceipt:
        """Add an item to the catalogue."""
        fn = self.registry.functions.registerItem(item_id, category, unit, name)
        return self.client.send(coordinator, fn)

    def attest(
        self,
        auditor: LocalAccount,
        attestation_id: bytes,
        report_hash: bytes,
        from_block: int,
        to_block: int,
        covered_seq: int,
        covered_head: bytes,
    ) -> TxReceipt:
        """Post an audit attestation."""
        fn = self.registry.functions.attest(
            attestation_id, report_hash, from_block, to_block, covered_seq, covered_head
        )
        return self.client.send(auditor, fn)

    # ----------------------------------------------------------------- fund writes

    def record_gift(self, intake: LocalAccount, gift: GiftInput) -> TxReceipt:
        """Record one money gift."""
        return self.client.send(intake, self.fund.functions.recordGift(gift.as_abi()))

    def record_gifts(self, intake: LocalAccount, gifts: list[GiftInput]) -> TxReceipt:
        """Record many money gifts in one transaction (all or nothing)."""
        fn = self.fund.functions.recordGifts([g.as_abi() for g in gifts])
        return self.client.send(intake, fn)

    def record_pledge(
        self,
        intake: LocalAccount,
        pledge_id: bytes,
        currency: bytes,
        amount: int,
        earmark_kind: EarmarkKind,
        earmark: bytes,
        donor_commitment: bytes,
        due_date: int,
    ) -> TxReceipt:
        """Record a pledge."""
        fn = self.fund.functions.recordPledge(
            pledge_id, currency, amount, int(earmark_kind), earmark, donor_commitment, due_date
        )
        return self.client.send(intake, fn)

    def allocate_funds(
        self,
        coordinator: LocalAccount,
        allocation_id: bytes,
        currency: bytes,
        earmark_kind: EarmarkKind,
        earmark: bytes,
        amount: int,
        need_id: bytes,
        purpose: bytes,
    ) -> TxReceipt:
        """Allocate money out of a pool."""
        fn = self.fund.functions.allocateFunds(
            allocation_id, currency, int(earmark_kind), earmark, amount, need_id, purpose
        )
        return self.client.send(coordinator, fn)

    def release_allocation(self, coordinator: LocalAccount, allocation_id: bytes) -> TxReceipt:
        """Return an allocation's unspent remainder to its pool."""
        return self.client.send(coordinator, self.fund.functions.releaseAllocation(allocation_id))

    # ----------------------------------------------------------------- supply writes

    def record_in_kind_gift(self, intake: LocalAccount, gift: InKindInput) -> TxReceipt:
        """Record an in-kind gift into a warehouse."""
        return self.client.send(intake, self.supply.functions.recordInKindGift(gift.as_abi()))

    def record_in_kind_gifts(self, intake: LocalAccount, gifts: list[InKindInput]) -> TxReceipt:
        """Record many in-kind gifts (all or nothing)."""
        fn = self.supply.functions.recordInKindGifts([g.as_abi() for g in gifts])
        return self.client.send(intake, fn)

    def record_purchase(self, coordinator: LocalAccount, purchase: PurchaseInput) -> TxReceipt:
        """Record a purchase paid from an allocation."""
        return self.client.send(
            coordinator, self.supply.functions.recordPurchase(purchase.as_abi())
        )

    def post_need(
        self,
        sender: LocalAccount,
        need_id: bytes,
        site_id: bytes,
        item_id: bytes,
        quantity: int,
        priority: int,
        deadline: int,
    ) -> TxReceipt:
        """Post a need of a recipient site."""
        fn = self.supply.functions.postNeed(need_id, site_id, item_id, quantity, priority, deadline)
        return self.client.send(sender, fn)

    def close_need(self, sender: LocalAccount, need_id: bytes) -> TxReceipt:
        """Close a need."""
        return self.client.send(sender, self.supply.functions.closeNeed(need_id))

    def dispatch_shipment(
        self,
        operator: LocalAccount,
        shipment_id: bytes,
        from_site: bytes,
        to_site: bytes,
        lines: list[DispatchLine],
    ) -> TxReceipt:
        """Dispatch a shipment from the operator's site."""
        fn = self.supply.functions.dispatchShipment(
            shipment_id, from_site, to_site, [line.as_abi() for line in lines]
        )
        return self.client.send(operator, fn)

    def receive_shipment(
        self, operator: LocalAccount, shipment_id: bytes, lines: list[ReceiptLine]
    ) -> TxReceipt:
        """Receive shipment lines at the operator's site."""
        fn = self.supply.functions.receiveShipment(shipment_id, [line.as_abi() for line in lines])
        return self.client.send(operator, fn)

    def record_hand_over(
        self,
        operator: LocalAccount,
        hand_over_id: bytes,
        lot_id: bytes,
        need_id: bytes,
        quantity: int,
        beneficiaries: int,
        unit: BeneficiaryUnit,
    ) -> TxReceipt:
        """Hand units of a lot to beneficiaries against a need."""
        fn = self.supply.functions.recordHandOver(
            hand_over_id, lot_id, need_id, quantity, beneficiaries, int(unit)
        )
        return self.client.send(operator, fn)

    def record_adjustment(
        self,
        operator: LocalAccount,
        adjustment_id: bytes,
        lot_id: bytes,
        delta: int,
        reason: AdjustmentReason,
    ) -> TxReceipt:
        """Adjust a lot in place."""
        fn = self.supply.functions.recordAdjustment(adjustment_id, lot_id, delta, int(reason))
        return self.client.send(operator, fn)

    # ----------------------------------------------------------------- views

    def ledger_head(self, block: BlockIdentifier = "latest") -> tuple[int, bytes]:
        """(seq, head) of the global event sequence."""
        seq, head = self.registry.functions.ledgerHead().call(block_identifier=block)
        return int(seq), bytes(head)

    def pool(self, pool_id: bytes, block: BlockIdentifier = "latest") -> tuple[int, int]:
        """(received, allocated) of a pool."""
        received, allocated = self.fund.functions.pool(pool_id).call(block_identifier=block)
        return int(received), int(allocated)

    def pool_id(self, currency: bytes, kind: EarmarkKind, earmark: bytes) -> bytes:
        """The pool id of a currency and earmark (computed locally, same as the contract)."""
        return keccak(encode(["bytes3", "uint8", "bytes32"], [currency, int(kind), earmark]))

    def lot(self, lot_id: bytes, block: BlockIdentifier = "latest") -> tuple[bytes, bytes, int]:
        """(item, site, on hand) of a lot."""
        item, site, on_hand = self.supply.functions.lot(lot_id).call(block_identifier=block)
        return bytes(item), bytes(site), int(on_hand)

    def view(self, contract: str, fn: str, *args: Any) -> Any:
        """Call any view by name: `view("supply", "need", need_id)`."""
        target: Contract = getattr(self, contract)
        return target.functions[fn](*args).call()
