"""A write the demo needs that the staff commands do not offer: in-kind gifts in one batch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from web3.contract.contract import ContractFunction

from ledger.chain.bindings import AidLedger
from ledger.chain.types import InKindInput
from ledger.errors import AidLedgerValueError
from ledger.write.commands import Command, RecordInKindGift


@dataclass(frozen=True)
class RecordInKindGifts(Command):
    """Intake: many in-kind gifts in one transaction (`recordInKindGifts`), found by the first."""

    gifts: tuple[RecordInKindGift, ...]
    namespace: ClassVar[str] = "inkind"
    contract: ClassVar[str] = "supply"
    event: ClassVar[str] = "InKindGiftRecorded"

    @property
    def record_id(self) -> bytes:
        """The first gift's id."""
        if not self.gifts:
            raise AidLedgerValueError("a batch of in-kind gifts needs at least one gift")
        return self.gifts[0].record_id

    def call(self, ledger: AidLedger) -> ContractFunction:
        """recordInKindGifts."""
        return ledger.supply.functions.recordInKindGifts([_input(g).as_abi() for g in self.gifts])


def _input(g: RecordInKindGift) -> InKindInput:
    return InKindInput(
        g.record_id,
        g.lot_id,
        g.item_id,
        g.site_id,
        g.quantity,
        g.batch,
        g.expiry,
        g.donor_commitment,
        g.evidence_hash,
        g.public_name,
    )
