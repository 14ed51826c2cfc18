"""Bank-statement intake on a real devnet: batches, codes kept before sending, re-runs, kill -9."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ledger.chain.events import decode_log
from ledger.chain.ids import derive_id
from ledger.write.codes_file import ImportBusyError, codes_lock, default_codes_path, read_codes
from ledger.write.intake import (
    ImportReport,
    IntakeOptions,
    NotIntakeError,
    code_rows,
    import_statement,
    send,
)
from ledger.write.messages import WriteRefusedError
from ledger.write.receipts import ReceiptCode
from ledger.write.service import WriteService
from ledger.write.statement import Columns, Statement, read_statement
from tests.contracts.world import World

HEADER = "date,amount,currency,reference,payer\n"


def statement_file(tmp_path: Path, count: int, start: int = 0, name: str = "march.csv") -> Path:
    lines = [
        f'2020-02-{1 + i % 28:02},"{1 + i:,}.{i % 100:02}",CNY,BANK-{i:05},捐赠人 {i}\n'
        for i in range(start, start + count)
    ]
    path = tmp_path / name
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def read(path: Path) -> Statement:
    return read_statement(path, Columns())


def gift_events(world: World) -> list[dict[str, Any]]:
    """Every GiftRecorded on chain, decoded, with its transaction."""
    w3 = world.ledger.client.w3
    logs = w3.eth.get_logs(
        {"address": world.ledger.fund.address, "fromBlock": 0, "toBlock": "latest"}
    )
    found = []
    for log in logs:
        event = decode_log(log)
        if event is not None and event.name == "GiftRecorded":
            found.append({**event.args, "tx": event.tx_hash})
    return found


def codes_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))


def test_import_records_every_row_with_its_code_commitment_and_evidence(
    world: World, service: WriteService, tmp_path: Path
) -> None:
    path = statement_file(tmp_path, 12)
    statement = read(path)
    codes = default_codes_path(path)
    report = import_statement(service, world.intake, statement, codes, IntakeOptions(max_batch=5))
    assert len(report.recorded) == 12 and not report.already
    assert [len(b.seqs) for b in report.batches] == [5, 5, 2]
    events = {e["giftId"]: e for e in gift_events(world)}
    rows = codes_rows(codes)
    assert [r["reference"] for r in rows] == [f"BANK-{i:05}" for i in range(12)]
    for line, row in zip(rows, statement.rows, strict=True):
        event = events[derive_id("gift", row.reference)]
        code = ReceiptCode.parse(line["receipt_code"])
        assert event["donorCommitment"] == code.commitment
        assert event["evidenceHash"] == row.evidence_hash
        assert event["amount"] == row.amount and event["publicName"] == ""
        assert line["status"] == "recorded" and line["tx_hash"] == "0x" + event["tx"].hex()
        assert line["payer"] == row.payer and line["gift_id"] == "0x" + event["giftId"].hex()
    assert rows[11]["amount"] == "12.11"
    assert oct(codes.stat().st_mode & 0o777) == "0o600"


def test_payer_names_never_go_on_chain(world: World, service: WriteService, tmp_path: Path) -> None:
    report = import_statement(
        service, world.intake, read(statement_file(tmp_path, 3)), tmp_path / "c.csv"
    )
    w3 = world.ledger.client.w3
    for outcome in report.batches:
        data = bytes(w3.eth.get_transaction(outcome.tx_hash)["input"])  # type: ignore[arg-type]
        assert "捐赠人".encode() not in data and "捐赠人".encode("gb18030") not in data


def test_rerun_writes_nothing_twice_and_keeps_the_codes(
    world: World, service: WriteService, tmp_path: Path
) -> None:
    path = statement_file(tmp_path, 6)
    codes = tmp_path / "codes.csv"
    import_statement(service, world.intake, read(path), codes)
    first = read_codes(codes)
    block = world.ledger.client.w3.eth.block_number
    again = import_statement(service, world.intake, read(path), codes)
    assert not again.recorded and len(again.already) == 6 and not again.batches
    assert world.ledger.client.w3.eth.block_number == block
    assert read_codes(codes) == first
    assert len(gift_events(world)) == 6


def test_a_longer_statement_records_only_its_new_rows_with_the_old_codes_kept(
    world: World, service: WriteService, tmp_path: Path
) -> None:
    codes = tmp_path / "codes.csv"
    import_statement(service, world.intake, read(statement_file(tmp_path, 4)), codes)
    first = read_codes(codes)
    longer = import_statement(service, world.intake, read(statement_file(tmp_path, 7)), codes)
    assert [r.row.reference for r in longer.recorded] == ["BANK-00004", "BANK-00005", "BANK-00006"]
    assert {ref: read_codes(codes)[ref] for ref in first} == first
    assert len(gift_events(world)) == 7


def test_duplicates_within_the_file_are_skipped_and_listed(
    world: World, service: WriteService, tmp_path: Path
) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(HEADER + "2020-02-01,10,CNY,R1,a\n2020-02-01,10.00,CNY,R1,a\n")
    report = import_statement(service, world.intake, read(path), tmp_path / "c.csv")
    assert report.duplicates == [(3, 2)] and len(report.recorded) == 1
    assert len(gift_events(world)) == 1


def test_rows_already_on_chain_from_another_record_are_skipped_without_a_code(
    world: World, service: WriteService, tmp_path: Path
) -> None:
    path = statement_file(tmp_path, 3)
    statement = read(path)
    earlier = IntakeOptions().gift(statement.rows[1], ReceiptCode.new())
    service.submit(world.intake, earlier)  # e.g. `gift add --reference BANK-00001`
    report = import_statement(service, world.intake, statement, tmp_path / "c.csv")
    assert [r.row.reference for r in report.already] == ["BANK-00001"]
    assert [r.row.row for r in report.codes_missing] == [3]
    lines = codes_rows(tmp_path / "c.csv")
    assert lines[1]["receipt_code"] == "" and "code is not in this file" in lines[1]["status"]
    assert len(gift_events(world)) == 3


def test_a_signer_without_the_intake_role_writes_nothing_not_even_codes(
    world: World, service: WriteService, tmp_path: Path
) -> None:
    block = world.ledger.client.w3.eth.block_number
    with pytest.raises(NotIntakeError, match=r"intake role.*nothing was written"):
        import_statement(
            service, world.outsider, read(statement_file(tmp_path, 3)), tmp_path / "c.csv"
        )
    assert not (tmp_path / "c.csv").exists()
    assert world.ledger.client.w3.eth.block_number == block


def test_a_paused_ledger_refuses_before_the_codes_file_is_written(
    world: World, service: WriteService, tmp_path: Path
) -> None:
    world.ledger.pause(world.admin)
    block = world.ledger.client.w3.eth.block_number
    with pytest.raises(WriteRefusedError, match="paused"):
        import_statement(
            service, world.intake, read(statement_file(tmp_path, 3)), tmp_path / "c.csv"
        )
    assert not (tmp_path / "c.csv").exists()
    assert world.ledger.client.w3.eth.block_number == block


def test_batches_follow_the_gas_of_the_first_estimate_under_half_the_block_limit(
    world: World, service: WriteService, tmp_path: Path
) -> None:
    report = import_statement(
        service, world.intake, read(statement_file(tmp_path, 40)), tmp_path / "c.csv"
    )
    assert report.gas_per_gift is not None and 20_000 < report.gas_per_gift < 60_000
    w3 = world.ledger.client.w3
    limit = int(w3.eth.get_block("latest")["gasLimit"])
    for outcome in report.batches:
        used = int(w3.eth.get_transaction_receipt(outcome.tx_hash)["gasUsed"])  # type: ignore[arg-type]
        assert used <= limit // 2


KILLED_IMPORT = """
import sys, time
from pathlib import Path
from web3 import Web3
from ledger.chain.bindings import AidLedger
from ledger.chain.client import ChainClient
from ledger.chain.deployment import Deployment
from ledger.write.intake import IntakeOptions, import_statement
from ledger.write.service import WriteService
from ledger.write.statement import Columns, read_statement
from tests.contracts.world import staff_key

url, deployments, statement, codes = sys.argv[1:]
client = ChainClient(Web3(Web3.HTTPProvider(url)))
ledger = AidLedger.attach(client, Deployment.load(Path(deployments), client.chain_id))

def progress(done, total):
    print(done, flush=True)
    time.sleep(0.2)  # room for the kill between batches and during the next one

import_statement(
    WriteService(ledger), staff_key("intake"), read_statement(Path(statement), Columns()),
    Path(codes), IntakeOptions(max_batch=3), progress,
)
print("finished", flush=True)
"""


def test_kill_9_mid_import_then_rerun_records_every_row_once_with_its_code(
    world: World, service: WriteService, tmp_path: Path
) -> None:
    deployments = tmp_path / "deployments"
    world.ledger.deployment.save(deployments)
    path = statement_file(tmp_path, 30)
    codes = tmp_path / "codes.csv"
    url = str(world.ledger.client.w3.provider.endpoint_uri)  # type: ignore[attr-defined]
    root = Path(__file__).resolve().parents[3]
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, url, str(deployments), str(path), str(codes)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    seen = [child.stdout.readline().strip() for _ in range(2)]  # two batches recorded
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert seen == ["3", "6"], seen
    time.sleep(0.5)  # a transaction sent just before the kill is mined by now
    partly = len(gift_events(world))
    assert 6 <= partly < 30
    kept = read_codes(codes)
    assert len(kept) == 30  # every code was on disk before the first transaction
    report = import_statement(service, world.intake, read(path), codes)
    assert len(report.already) >= partly and len(report.already) + len(report.recorded) == 30
    events = gift_events(world)
    assert len(events) == 30 and len({e["giftId"] for e in events}) == 30
    by_id = {e["giftId"]: e["donorCommitment"] for e in events}
    for reference, code in kept.items():
        assert by_id[derive_id("gift", reference)] == code.commitment
    assert read_codes(codes) == kept


@pytest.mark.parametrize("other_writer_code", ["same", "another"])
def test_a_batch_whose_first_gift_raced_ahead_sends_its_other_rows_again(
    world: World, service: WriteService, tmp_path: Path, other_writer_code: str
) -> None:
    statement = read(statement_file(tmp_path, 5))
    options = IntakeOptions(max_batch=5)
    rows = code_rows(service, statement.rows, {}, options)
    other_code = ReceiptCode.new() if other_writer_code == "another" else rows[0].code
    service.submit(world.intake, options.gift(rows[0].row, other_code))  # another writer
    report = ImportReport(rows, [])
    done = send(service, world.intake, rows, options, 60_000, report, None)
    assert [b.already_recorded for b in report.batches] == [True, False]
    assert [done[r.row.row].status for r in rows] == ["already on chain"] + ["recorded"] * 4
    assert len(gift_events(world)) == 5
    # our code is kept only when it is the one on chain: a donor never gets a useless code
    expected = None if other_writer_code == "another" else rows[0].code
    assert done[rows[0].row.row].code == expected


def test_a_codes_file_shared_by_two_statements_keeps_every_code(
    world: World, service: WriteService, tmp_path: Path
) -> None:
    codes = tmp_path / "all.codes.csv"
    import_statement(
        service, world.intake, read(statement_file(tmp_path, 3, name="feb.csv")), codes
    )
    february = read_codes(codes)
    march = statement_file(tmp_path, 2, start=3, name="mar.csv")
    import_statement(service, world.intake, read(march), codes)
    both = read_codes(codes)
    assert len(both) == 5 and {ref: both[ref] for ref in february} == february
    assert [line["reference"] for line in codes_rows(codes)][:3] == list(february)


def test_a_second_import_on_the_same_codes_file_waits_its_turn(
    world: World, service: WriteService, tmp_path: Path
) -> None:
    codes = tmp_path / "c.csv"
    block = world.ledger.client.w3.eth.block_number
    with codes_lock(codes), pytest.raises(ImportBusyError, match="another import is using"):
        import_statement(service, world.intake, read(statement_file(tmp_path, 2)), codes)
    assert not codes.exists() and world.ledger.client.w3.eth.block_number == block
    assert (
        len(
            import_statement(
                service, world.intake, read(statement_file(tmp_path, 2)), codes
            ).recorded
        )
        == 2
    )
