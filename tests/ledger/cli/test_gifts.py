"""`gift add`, `gift import`, `inkind add` and `trace` on an office set up by the real command.

The lead mounts these commands in `aidledger`; here a small Typer app mounts them the same way
and runs them in-process (CliRunner) against the office's devnet, keys and mirror.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import typer
from typer.testing import CliRunner, Result
from web3 import Web3

from ledger.chain.artifacts import load_artifact
from ledger.cli.gifts import ImportProgress, gift_app, inkind_app, pledge_app, trace, trace_lines
from ledger.errors import AidLedgerConfigError, AidLedgerValueError
from ledger.queries.sentences import Code, Sentence
from ledger.queries.trace import At, FlowStep, GiftNotFoundError, GiftStep, LotStep, Trace
from ledger.write.intake import NotIntakeError
from ledger.write.keys import Keystore
from ledger.write.messages import WriteRefusedError
from ledger.write.receipts import ReceiptCode, ReceiptCodeError
from ledger.write.staff import StaffBook
from ledger.write.statement import StatementError
from tests.ledger.cli.office import PASSPHRASE, Office, office
from tests.portal.scenario import DAMAGED_LINE

app = typer.Typer()
app.add_typer(gift_app, name="gift")
app.add_typer(inkind_app, name="inkind")
app.add_typer(pledge_app, name="pledge")
app.command()(trace)


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    with office(tmp_path_factory.mktemp("office")) as ready:
        yield ready


def run(place: Office, *args: str, staff: str | None = "intake") -> Result:
    env = {
        **place.env(staff),
        "AIDLEDGER_DATA_DIR": str(place.root / "data"),
        "AIDLEDGER_DEPLOYMENTS_DIR": str(place.root / "deployments"),
    }
    if staff is None:
        env["AIDLEDGER_STAFF"] = ""
    return CliRunner().invoke(app, list(args), env=env)


def ok(place: Office, *args: str, staff: str | None = "intake") -> Any:
    result = run(place, *args, "--json", staff=staff)
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def refused(place: Office, kind: type[Exception], *args: str, staff: str = "intake") -> str:
    """Run a command that must fail with `kind`, and check nothing reached the chain."""
    before = head(place)
    result = run(place, *args, staff=staff)
    assert isinstance(result.exception, kind), (result.output, result.exception)
    assert head(place) == before
    return str(result.exception)


def head(place: Office) -> int:
    return int(Web3(Web3.HTTPProvider(place.url)).eth.block_number)


def test_gift_add_hands_back_a_code_that_traces_to_the_gift(place: Office) -> None:
    added = ok(place, "gift", "add", "--amount", "1,234.56", "--currency", "CNY", "--ref", "B-1")
    code = ReceiptCode.parse(added["receipt_code"])
    assert not added["already_recorded"] and added["seqs"]
    place.index()
    found = ok(place, "trace", str(code).lower().replace("-", " "))
    assert found["gift"]["amount"] == 123456 and found["gift"]["currency"] == "CNY"
    assert found["gift"]["at"]["tx_hash"] == added["tx_hash"]
    text = run(place, "trace", str(code)).stdout
    assert "1,234.56 CNY" in text and "the mirror is at block" in text
    words = str(code).lower().split("-")  # typed as groups, unquoted: one argument per group
    assert ok(place, "trace", *words)["gift"]["amount"] == 123456


def test_gift_add_again_answers_already_recorded_with_the_same_code(place: Office) -> None:
    args = ("gift", "add", "--amount", "5", "--currency", "USD", "--ref", "B-2")
    first = ok(place, *args)
    block = head(place)
    again = ok(place, *args)
    assert again["already_recorded"] and again["tx_hash"] == first["tx_hash"]
    assert again["receipt_code"] == first["receipt_code"]
    assert head(place) == block


def test_gift_add_prints_the_code_and_writes_its_qr_codes(place: Office, tmp_path: Path) -> None:
    svg, png = tmp_path / "code.svg", tmp_path / "code.png"
    args = ("gift", "add", "--amount", "1000", "--currency", "JPY", "--ref", "B-3")
    result = run(place, *args, "--qr", str(svg))
    assert result.exit_code == 0, result.output
    code = result.stdout.split("receipt code: ")[1].split()[0]
    ReceiptCode.parse(code)
    assert ElementTree.fromstring(svg.read_text()).tag.endswith("svg")
    assert run(place, *args, "--qr", str(png)).exit_code == 0  # the retry: same code
    assert png.read_bytes().startswith(b"\x89PNG")


def test_gift_add_refusals_write_nothing(place: Office) -> None:
    base = ("gift", "add", "--currency", "CNY", "--ref", "B-9")
    assert "does not hold the" in refused(
        place, WriteRefusedError, *base, "--amount", "1", staff="wh1"
    )
    assert "no active staff member named 'nobody'" in refused(
        place, AidLedgerValueError, *base, "--amount", "1", staff="nobody"
    )
    message = refused(
        place,
        AidLedgerValueError,
        "gift",
        "add",
        "--amount",
        "10.5",
        "--currency",
        "JPY",
        "--ref",
        "B-9",
    )
    assert "more decimals than JPY allows (0)" in message
    assert "must be a 0x id" in refused(
        place, AidLedgerValueError, *base, "--amount", "1", "--pledge", "P-1"
    )


def test_inkind_add_by_names_hands_back_a_code_traced_from_its_lot(place: Office) -> None:
    added = ok(
        place,
        "inkind",
        "add",
        "--item",
        "N95",
        "--site",
        "WH-1",
        "--quantity",
        "400",
        "--ref",
        "note:7",
        "--public-name",
        "Huabei Factory",
    )
    place.index()
    found = ok(place, "trace", added["receipt_code"])
    assert found["gift"]["kind"] == "in_kind" and found["gift"]["amount"] == 400
    assert found["gift"]["public_name"] == "Huabei Factory"
    assert [(lot["item"], lot["site"], lot["units"]) for lot in found["lots"]] == [
        ("N95", "WH-1", 400)
    ]


def test_inkind_add_unknown_name_writes_nothing(place: Office) -> None:
    message = refused(
        place,
        AidLedgerValueError,
        "inkind",
        "add",
        "--item",
        "N99",
        "--site",
        "WH-1",
        "--quantity",
        "1",
        "--ref",
        "note:8",
    )
    assert "no item 'N99'" in message


def test_gift_import_gb18030_with_mapped_columns_then_rerun_records_nothing(
    place: Office, tmp_path: Path
) -> None:
    statement = tmp_path / "工行.csv"
    lines = "交易日期,贷方金额,流水号,对方户名\n" + "".join(
        f'2020-02-{1 + i:02},"{i + 1}.000,50",ICBC-{i},捐赠人{i}\n' for i in range(7)
    )
    statement.write_bytes(lines.encode("gb18030"))
    mapping = (
        "--column",
        "date=交易日期",
        "--column",
        "amount=贷方金额",
        "--column",
        "reference=流水号",
        "--column",
        "payer=对方户名",
        "--currency",
        "EUR",
    )
    first = ok(place, "gift", "import", str(statement), *mapping, "--batch-size", "3")
    assert first["recorded"] == 7 and len(first["batches"]) == 3
    codes = tmp_path / "工行.codes.csv"
    assert first["codes"] == str(codes)
    text = codes.read_text(encoding="utf-8-sig")
    assert "捐赠人6" in text and "7000.50" in text
    block = head(place)
    again = ok(place, "gift", "import", str(statement), *mapping)
    assert again["recorded"] == 0 and again["already_on_chain"] == list(range(2, 9))
    assert head(place) == block
    assert codes.read_text(encoding="utf-8-sig").split("\n")[1:] == text.split("\n")[1:]


def test_gift_import_columns_from_aidledger_toml(
    place: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "aidledger.toml").write_text('[intake.columns]\nreference = "Ref"\n')
    statement = tmp_path / "s.csv"
    statement.write_text("date,amount,currency,Ref\n2020-03-01,1.00,HKD,HK-1\n")
    assert ok(place, "gift", "import", str(statement))["recorded"] == 1


def test_gift_import_bad_rows_write_nothing_and_name_each(place: Office, tmp_path: Path) -> None:
    statement = tmp_path / "bad.csv"
    statement.write_text(
        "date,amount,currency,reference,payer\n"
        "2020-02-01,100,CNY,X-1,a\n2020-02-31,100,CNY,X-2,b\n2020-02-01,1.2.3,CNY,X-3,c\n"
    )
    message = refused(place, StatementError, "gift", "import", str(statement))
    assert "2 bad rows, nothing was written" in message
    assert "row 3, column 'date'" in message and "row 4, column 'amount'" in message
    assert not (tmp_path / "bad.codes.csv").exists()


def test_gift_import_by_a_non_intake_signer_writes_nothing(place: Office, tmp_path: Path) -> None:
    statement = tmp_path / "s.csv"
    statement.write_text("date,amount,currency,reference\n2020-03-01,1.00,CNY,W-1\n")
    refused(place, NotIntakeError, "gift", "import", str(statement), staff="coord")
    assert not (tmp_path / "s.codes.csv").exists()


def test_gift_import_unknown_column_field_is_a_usage_error(place: Office, tmp_path: Path) -> None:
    statement = tmp_path / "s.csv"
    statement.write_text("date,amount,currency,reference\n")
    message = refused(
        place, AidLedgerValueError, "gift", "import", str(statement), "--column", "sum=Betrag"
    )
    assert "unknown column field sum" in message


def test_trace_mistyped_code_says_so(place: Office) -> None:
    code = str(ReceiptCode.new())
    typo = code[:5] + ("0" if code[5] != "0" else "1") + code[6:]
    result = run(place, "trace", typo)
    assert isinstance(result.exception, ReceiptCodeError)
    assert "has a typo" in str(result.exception)


def test_trace_unknown_code_says_where_the_mirror_is(place: Office) -> None:
    result = run(place, "trace", str(ReceiptCode.new()))
    assert isinstance(result.exception, GiftNotFoundError)
    assert "not found (yet): the mirror is at block" in str(result.exception)


def test_trace_without_a_mirror_says_to_index(place: Office, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["trace", str(ReceiptCode.new())],
        env={"AIDLEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}"},
    )
    assert isinstance(result.exception, AidLedgerConfigError)
    assert "run `aidledger index`" in str(result.exception)


def test_gift_add_of_an_imported_line_does_not_invent_a_second_code(
    place: Office, tmp_path: Path
) -> None:
    statement = tmp_path / "s.csv"
    statement.write_text("date,amount,currency,reference\n2020-03-01,8.00,CNY,IMP-1\n")
    assert ok(place, "gift", "import", str(statement))["recorded"] == 1
    message = refused(
        place,
        AidLedgerValueError,
        "gift",
        "add",
        "--amount",
        "8",
        "--currency",
        "CNY",
        "--ref",
        "IMP-1",
    )
    assert "already recorded and its receipt code is not in" in message
    book = place.root / "data" / "receipt-codes.csv"
    assert not book.exists() or "IMP-1" not in book.read_text(encoding="utf-8-sig")


def test_gift_import_summary_lists_skipped_rows(place: Office, tmp_path: Path) -> None:
    statement = tmp_path / "s.csv"
    line = "2020-03-02,3.00,CNY,SUM-1\n"
    statement.write_text("date,amount,currency,reference\n" + line + line)
    result = run(place, "gift", "import", str(statement))
    assert result.exit_code == 0, result.output
    assert "recorded 1 gift in 1 transaction\n" in result.stdout
    assert "repeated in the file, skipped: rows 3 (= row 2)" in result.stdout
    assert f"receipt codes for the donor letters: {tmp_path / 's.codes.csv'}" in result.stdout
    again = run(place, "gift", "import", str(statement)).stdout
    assert "recorded 0 gifts in 0 transactions" in again
    assert "already on chain, skipped: rows 2\n" in again


def test_import_progress_is_plain_lines_when_not_on_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    progress = ImportProgress(10, interval=3600)
    progress(3, 10)  # the first line waits for the interval
    progress(10, 10)  # the last line always comes
    assert capsys.readouterr().err.splitlines()[-1].startswith("10/10 gifts recorded, ")


def test_gift_add_signed_by_a_key_in_an_environment_variable(place: Office) -> None:
    member = StaffBook(place.root / "data" / "staff.json").active("intake")
    key = Keystore(place.root / "data" / "keys").unlock(member.address, PASSPHRASE)
    args = ("gift", "add", "--amount", "2", "--currency", "CNY", "--key-env", "INTAKE_KEY")
    result = CliRunner().invoke(
        app,
        [*args, "--ref", "ENV-1", "--json"],
        env={
            **place.env(),
            "INTAKE_KEY": key.key.hex(),
            "AIDLEDGER_STAFF": "",
            "AIDLEDGER_DATA_DIR": str(place.root / "data"),
            "AIDLEDGER_DEPLOYMENTS_DIR": str(place.root / "deployments"),
        },
    )
    assert result.exit_code == 0, (result.output, result.exception)
    assert key.key.hex() not in result.output
    assert not json.loads(result.stdout)["already_recorded"]
    message = refused(place, AidLedgerConfigError, *args, "--ref", "ENV-2")
    assert "INTAKE_KEY: that environment variable is not set" in message


def test_a_pledge_gets_a_code_and_a_gift_naming_it_pays_it(place: Office) -> None:
    pledge = ok(
        place,
        "pledge",
        "add",
        "--amount",
        "10,000",
        "--currency",
        "CNY",
        "--due",
        "2030-03-01",
        "--ref",
        "PL-1",
    )
    ReceiptCode.parse(pledge["receipt_code"])
    again = ok(
        place,
        "pledge",
        "add",
        "--amount",
        "10,000",
        "--currency",
        "CNY",
        "--due",
        "2030-03-01",
        "--ref",
        "PL-1",
    )
    assert again["already_recorded"] and again["receipt_code"] == pledge["receipt_code"]
    ok(
        place,
        "gift",
        "add",
        "--amount",
        "4,000",
        "--currency",
        "CNY",
        "--ref",
        "B-PL-1",
        "--pledge",
        pledge["record_id"],
    )
    w3 = Web3(Web3.HTTPProvider(place.url))
    deployment = json.loads((place.root / "deployments" / "1337.json").read_text())
    fund = w3.eth.contract(address=deployment["fund_ledger"], abi=load_artifact("FundLedger").abi)
    _, amount, paid = fund.functions.pledge(bytes.fromhex(pledge["record_id"][2:])).call()
    assert (amount, paid) == (1_000_000, 400_000)


def test_trace_lines_say_each_step_in_english() -> None:
    at = At(7, 12, 1_580_000_000, "0x" + "ab" * 32)
    found = Trace(
        GiftStep("money", "0x" + "01" * 32, "CNY", 150_000, 0, "", None, at),
        [],
        [],
        [LotStep("L-31", "purchase", "mask", "piece", "wh_a", 1_000, 938, 0, at)],
        [
            FlowStep(
                "shipment",
                "S-32",
                "L-31",
                938,
                DAMAGED_LINE,
                at,
            ),
            FlowStep(
                "hand-over",
                "0x7b9e…",
                "L-35",
                500,
                Sentence(
                    "hand_over_for_need",
                    {
                        "quantity": 500,
                        "beneficiaries": 250,
                        "unit": Code("beneficiary_unit", "people"),
                        "need": "N-37",
                    },
                ),
                at,
            ),
        ],
        45,
    )
    lines = trace_lines(found)
    assert lines[2].startswith("  lot L-31 (purchase) at wh_a: 938 of 1,000 piece of mask")
    assert lines[3].startswith(
        "  shipment S-32: 938 units of lot L-31 from this gift, "
        "line 0 from wh_a to hospital, 940 of 950 received (10 damaged) [2020-01-26 "
    )
    assert "500 units to 250 people for need N-37 [" in lines[4]
    assert json.loads(json.dumps(asdict(found)))["flows"][1]["detail"]["values"]["unit"] == {
        "enum": "beneficiary_unit",
        "code": "people",
    }
