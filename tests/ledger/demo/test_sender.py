"""The demo's sender skips the gas estimate, yet repeats are recognised and refusals explained."""

from __future__ import annotations

import pytest

from ledger.chain.ids import derive_id
from ledger.chain.types import DispatchLine
from ledger.demo.seed import unlock_staff
from ledger.demo.sender import GAS, GAS_PER_LINE, gas_for
from ledger.write.commands import DispatchShipment, PostNeed
from ledger.write.messages import WriteRefusedError
from tests.ledger.demo.conftest import Seeded


def need(seeded: Seeded, ref: str, item: bytes) -> PostNeed:
    seeder = seeded.seeder
    first = seeder.plan.needs[0]
    return PostNeed(seeder.source(ref), seeder.site_id(first.site), item, 5, 1, 0)


def test_a_repeated_write_is_recognised_as_recorded(seeded: Seeded) -> None:
    seeder = seeded.seeder
    unlock_staff(seeder)
    first = seeder.plan.needs[0]
    again = need(seeded, first.ref, seeder.item_id(first.item))
    again = PostNeed(again.source, again.site_id, again.item_id, first.quantity, first.priority, 0)
    officer = seeder.signer_of_site("0x" + again.site_id.hex())
    outcome = seeder.fast.submit(officer, again)
    assert outcome.already_recorded


def test_a_refused_write_is_explained(seeded: Seeded) -> None:
    seeder = seeded.seeder
    unlock_staff(seeder)
    unknown = need(seeded, "need-for-no-item", derive_id("item", "no such item"))
    officer = seeder.signer_of_site("0x" + unknown.site_id.hex())
    with pytest.raises(WriteRefusedError, match="SupplyLedgerUnknownItem"):
        seeder.fast.submit(officer, unknown)


def test_a_shipment_gets_gas_for_each_line(seeded: Seeded) -> None:
    ledger = seeded.seeder.ledger
    lines = tuple(DispatchLine(bytes(32), 1) for _ in range(7))
    command = DispatchShipment("s", bytes(32), bytes(32), lines)
    assert gas_for(command.call(ledger)) == GAS + 7 * GAS_PER_LINE
    assert gas_for(need(seeded, "x", bytes(32)).call(ledger)) == GAS
