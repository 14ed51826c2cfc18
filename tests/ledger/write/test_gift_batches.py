"""Gift batches on chain: the calldata encoded here is web3.py's, byte for byte."""

from __future__ import annotations

from pathlib import Path

from hexbytes import HexBytes

from ledger.write.commands import RecordGifts
from ledger.write.gift_batches import EncodedGifts, batch_gas, batch_size
from ledger.write.intake import IntakeOptions
from ledger.write.receipts import ReceiptCode
from ledger.write.statement import Columns, read_statement
from tests.contracts.world import World


def test_batches_take_half_the_block_and_at_most_the_cap() -> None:
    assert batch_size(40_000, 30_000_000, 300) == 300
    assert batch_size(40_000, 10_000_000, 300) == 125
    assert batch_size(40_000, 50_000, 300) == 1
    assert batch_gas(40_000, 300, 30_000_000) == 15_100_000
    assert batch_gas(40_000, 300, 10_000_000) == 10_000_000


def test_gifts_encoded_here_are_the_bytes_web3_encodes(world: World, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "date,amount,currency,reference\n" + "2020-02-01,1,CNY,R1\n2020-02-02,2,USD,R2\n"
    )
    rows = read_statement(path, Columns()).rows
    gifts = tuple(IntakeOptions().gift(r, ReceiptCode.new()) for r in rows)
    ours = EncodedGifts("x", gifts).call(world.ledger)
    theirs = RecordGifts("x", gifts).call(world.ledger)
    data = ours.build_transaction({"from": world.intake.address, "gas": 10**6})["data"]
    assert bytes(HexBytes(data)) == bytes(HexBytes(theirs._encode_transaction_data()))
