"""The write service against a real node: outcomes, repeats, refusals, concurrent writers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from eth_typing import HexStr

from ledger.chain.ids import donor_commitment, label, new_salt
from ledger.chain.types import DispatchLine, ReceiptLine
from ledger.errors import AidLedgerValueError
from ledger.write.commands import (
    AllocateFunds,
    DispatchShipment,
    ReceiveShipment,
    RecordGift,
    RecordGifts,
    RecordInKindGift,
    ReleaseAllocation,
)
from ledger.write.messages import WriteRefusedError
from ledger.write.service import WriteService
from tests.contracts.world import CNY, World


def gift(source: str, amount: int = 10_000) -> RecordGift:
    return RecordGift(
        source=source,
        currency=CNY,
        amount=amount,
        donor_commitment=donor_commitment(source, new_salt()),
        evidence_hash=label(f"statement {source}"),
    )


def test_gift_is_recorded_with_its_transaction_block_and_seq(
    world: World, service: WriteService
) -> None:
    before, _ = world.ledger.ledger_head()
    outcome = service.submit(world.intake, gift("bank:2020-01-28:0001"))
    assert not outcome.already_recorded
    assert outcome.seqs == (before + 1,)
    receipt = world.ledger.client.w3.eth.get_transaction_receipt(HexStr(outcome.tx_hash))
    assert receipt["blockNumber"] == outcome.block_number
    assert outcome.record_id == "0x" + gift("bank:2020-01-28:0001").record_id.hex()


def test_double_submit_answers_already_recorded_with_the_original_transaction(
    world: World, service: WriteService
) -> None:
    first = service.submit(world.intake, gift("bank:2020-01-28:0002"))
    head = world.ledger.ledger_head()
    # a retry builds the command again from the same source record (a new salt even)
    again = WriteService(world.ledger).submit(world.intake, gift("bank:2020-01-28:0002"))
    assert again.already_recorded
    assert (again.tx_hash, again.block_number, again.seqs) == (
        first.tx_hash,
        first.block_number,
        first.seqs,
    )
    assert world.ledger.ledger_head() == head


def test_refused_write_explains_in_both_languages_and_changes_nothing(
    world: World, service: WriteService
) -> None:
    service.submit(world.intake, gift("bank:2020-01-28:0003", amount=12_000))
    head = world.ledger.ledger_head()
    too_much = AllocateFunds(source="alloc:masks:1", currency=CNY, amount=50_000)
    with pytest.raises(WriteRefusedError) as caught:
        service.submit(world.coordinator, too_much)
    refusal = caught.value.refusal
    assert refusal.error.error == "FundLedgerInsufficientPool"
    assert "has 120.00 CNY available" in refusal.en and "allocate 500.00 CNY" in refusal.en
    assert "可用 120.00 CNY" in refusal.zh and "您尝试分配 500.00 CNY" in refusal.zh
    assert world.ledger.ledger_head() == head


def test_unauthorised_signer_is_refused_with_the_role_message(
    world: World, service: WriteService
) -> None:
    with pytest.raises(WriteRefusedError) as caught:
        service.submit(world.outsider, gift("bank:2020-01-28:0004"))
    assert caught.value.refusal.error.error == "AccessControlUnauthorizedAccount"
    assert world.outsider.address in caught.value.refusal.en
    assert "does not hold the intake role" in caught.value.refusal.en
    assert "所需的intake角色" in caught.value.refusal.zh and "管理员" in caught.value.refusal.zh


def test_concurrent_writers_with_one_key_never_collide(world: World) -> None:
    service = WriteService(world.ledger)
    before, _ = world.ledger.ledger_head()
    commands = [gift(f"bank:2020-01-29:{i:04d}") for i in range(12)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(lambda c: service.submit(world.intake, c), commands))
    seqs = sorted(s for o in outcomes for s in o.seqs)
    assert seqs == list(range(before + 1, before + 13))
    assert not any(o.already_recorded for o in outcomes)


def test_release_twice_answers_already_recorded(world: World, service: WriteService) -> None:
    service.submit(world.intake, gift("bank:2020-01-30:0001", amount=9_000))
    allocation = AllocateFunds(source="alloc:gloves:1", currency=CNY, amount=4_000)
    service.submit(world.coordinator, allocation)
    release = ReleaseAllocation(source="form:release:1", target=allocation.record_id)
    first = service.submit(world.coordinator, release)
    again = service.submit(world.coordinator, release)
    assert again.already_recorded and again.tx_hash == first.tx_hash


def test_receiving_a_settled_line_again_answers_already_recorded(
    world: World, service: WriteService
) -> None:
    in_kind = RecordInKindGift(
        source="note:inkind:1",
        item_id=world.items["mask"],
        site_id=world.sites["wh_a"],
        quantity=500,
        donor_commitment=donor_commitment("factory", new_salt()),
        evidence_hash=label("delivery note 1"),
    )
    service.submit(world.intake, in_kind)
    shipment = DispatchShipment(
        source="waybill:1",
        from_site=world.sites["wh_a"],
        to_site=world.sites["hospital"],
        lines=(DispatchLine(in_kind.lot_id, 200),),
    )
    service.submit(world.wh_a, shipment)
    receipt = ReceiveShipment(
        source="receipt:1", target=shipment.record_id, lines=(ReceiptLine(0, 200),)
    )
    first = service.submit(world.hospital, receipt)
    again = service.submit(world.hospital, receipt)
    assert again.already_recorded and again.tx_hash == first.tx_hash


def test_stock_shortfall_names_the_lot_through_the_namer(world: World) -> None:
    names = {world.sites["wh_a"]: "WH-1"}
    service = WriteService(world.ledger, namer=lambda kind, key: names.get(key))
    in_kind = RecordInKindGift(
        source="note:inkind:2",
        item_id=world.items["mask"],
        site_id=world.sites["wh_a"],
        quantity=120,
        donor_commitment=donor_commitment("factory", new_salt()),
        evidence_hash=label("delivery note 2"),
    )
    service.submit(world.intake, in_kind)
    names[in_kind.lot_id] = "L-17"
    ship = DispatchShipment(
        source="waybill:2",
        from_site=world.sites["wh_a"],
        to_site=world.sites["hospital"],
        lines=(DispatchLine(in_kind.lot_id, 150),),
    )
    with pytest.raises(WriteRefusedError) as caught:
        service.submit(world.wh_a, ship)
    assert caught.value.refusal.en == "Lot L-17 holds 120; you tried to take 150."


def test_a_command_without_a_source_record_is_refused_before_sending() -> None:
    with pytest.raises(AidLedgerValueError, match="source record"):
        gift("  ")


def test_a_batch_records_every_gift_and_a_repeat_answers_with_its_transaction(
    world: World, service: WriteService
) -> None:
    batch = RecordGifts("statement:2020-02:rows-1-3", tuple(gift(f"bank:b:{i}") for i in range(3)))
    first = service.submit(world.intake, batch)
    assert len(first.seqs) == 3
    assert all(world.ledger.fund.functions.giftExists(g.record_id).call() for g in batch.gifts)
    again = service.submit(world.intake, batch)
    assert again.already_recorded and again.tx_hash == first.tx_hash
