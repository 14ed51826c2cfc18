"""Every staff write through the real `aidledger` command, happy paths and refusals."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3

from ledger.chain.bindings import AidLedger
from ledger.chain.client import ChainClient
from ledger.chain.deployment import Deployment
from ledger.chain.ids import donor_commitment, label, new_salt
from ledger.cli.deploy import deployer_account
from ledger.write.commands import RecordGift, RecordInKindGift
from ledger.write.keys import Keystore
from ledger.write.service import WriteService
from ledger.write.staff import StaffBook
from tests.ledger.cli.cli import one_line_error
from tests.ledger.cli.office import PASSPHRASE, Office, office


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    with office(tmp_path_factory.mktemp("office")) as ready:
        yield ready


def service_and_key(place: Office, staff: str) -> tuple[WriteService, LocalAccount]:
    """The write service and a staff key, for setting up what other issues' commands record."""
    client = ChainClient(Web3(Web3.HTTPProvider(place.url)))
    ledger = AidLedger.attach(client, Deployment.load(place.root / "deployments", 1337))
    member = StaffBook(place.root / "data" / "staff.json").active(staff)
    key = Keystore(place.root / "data" / "keys").unlock(member.address, PASSPHRASE)
    return WriteService(ledger), key


def stock(place: Office, source: str, quantity: int) -> RecordInKindGift:
    """N95 given into WH-1 by the intake clerk (what `inkind add` records; set up directly)."""
    service, intake = service_and_key(place, "intake")
    gift = RecordInKindGift(
        source=source,
        item_id=bytes.fromhex(_id(place, "item", "N95")),
        site_id=bytes.fromhex(_id(place, "site", "WH-1")),
        quantity=quantity,
        donor_commitment=donor_commitment("factory", new_salt()),
        evidence_hash=label("delivery note"),
    )
    service.submit(intake, gift)
    return gift


def test_staff_list_shows_every_member_with_their_role(place: Office) -> None:
    members = place.ok("staff", "list")
    assert isinstance(members, list)
    assert {(m["name"], m["role"]) for m in members} >= {("intake", "intake"), ("wh1", "operator")}


def test_goods_flow_from_stock_to_hand_over_by_names_and_labels(place: Office) -> None:
    gift = stock(place, "note:cli:1", 500)
    need = place.ok(
        "need",
        "add",
        "--site",
        "Hospital Y",
        "--item",
        "N95",
        "--quantity",
        "300",
        "--priority",
        "3",
        "--ref",
        "form:need:1",
        staff="hosp",
    )
    place.index()
    lot = f"L-{_seq_of(place, 'lot', gift.lot_id)}"
    shipped = place.ok(
        "ship",
        "dispatch",
        "--from",
        "WH-1",
        "--to",
        "Hospital Y",
        "--line",
        f"{lot}:200",
        "--ref",
        "waybill:1",
        staff="wh1",
    )
    place.index()
    shipment = f"S-{shipped['seqs'][0]}"  # type: ignore[index]
    place.ok(
        "ship",
        "receive",
        shipment,
        "--line",
        "0:190:damaged",
        "--ref",
        "receipt:1",
        staff="hosp",
    )
    place.index()
    receipt_lot = _receipt_lot(place, shipment)
    need_label = f"N-{need['seqs'][0]}"  # type: ignore[index]
    handed = place.ok(
        "handover",
        "--lot",
        receipt_lot,
        "--need",
        need_label,
        "--quantity",
        "150",
        "--beneficiaries",
        "150",
        "--ref",
        "handover:1",
        staff="hosp",
    )
    assert not handed["already_recorded"]
    adjusted = place.ok(
        "adjust",
        "--lot",
        lot,
        "--delta",
        "-20",
        "--reason",
        "expired",
        "--ref",
        "adj:1",
        staff="wh1",
    )
    assert len(adjusted["seqs"]) == 1  # type: ignore[arg-type]
    again = place.ok(
        "adjust",
        "--lot",
        lot,
        "--delta",
        "-20",
        "--reason",
        "expired",
        "--ref",
        "adj:1",
        staff="wh1",
    )
    assert again["already_recorded"] and again["tx_hash"] == adjusted["tx_hash"]


def test_money_flow_allocate_purchase_release(place: Office) -> None:
    service, intake = service_and_key(place, "intake")
    service.submit(
        intake,
        RecordGift("bank:cli:1", b"CNY", 500_000, donor_commitment("d", new_salt()), label("stmt")),
    )
    allocation = place.ok(
        "allocate",
        "--amount",
        "3,000.00",
        "--currency",
        "CNY",
        "--purpose",
        "masks",
        "--ref",
        "alloc:1",
        staff="coord",
    )
    place.index()
    label_a = f"A-{allocation['seqs'][0]}"  # type: ignore[index]
    place.ok(
        "purchase",
        "--allocation",
        label_a,
        "--supplier",
        "Huabei Medical",
        "--amount",
        "2000",
        "--currency",
        "CNY",
        "--item",
        "N95",
        "--site",
        "WH-2",
        "--quantity",
        "1000",
        "--expiry",
        "2021-06-30",
        "--invoice",
        "INV-7",
        "--ref",
        "po:1",
        staff="coord",
    )
    released = place.ok("release", label_a, "--ref", "release:1", staff="coord")
    assert not released["already_recorded"]
    assert place.ok("release", label_a, "--ref", "release:1", staff="coord")["already_recorded"]


def test_refusals_say_what_and_write_nothing(place: Office) -> None:
    head = _head(place)
    too_much = place.run(
        "allocate",
        "--amount",
        "99,000,000",
        "--currency",
        "CNY",
        "--ref",
        "alloc:big",
        staff="coord",
    )
    assert "you tried to allocate 99,000,000.00 CNY" in one_line_error(too_much)
    wrong_role = place.run(
        "need",
        "add",
        "--site",
        "Hospital Y",
        "--item",
        "N95",
        "--quantity",
        "5",
        "--ref",
        "form:need:x",
        staff="intake",
    )
    assert "does not hold the" in one_line_error(wrong_role)
    unknown = place.run(
        "need",
        "add",
        "--site",
        "WH-9",
        "--item",
        "N95",
        "--quantity",
        "5",
        "--ref",
        "form:need:y",
        staff="hosp",
    )
    assert "no site 'WH-9'" in one_line_error(unknown)
    nobody = place.run("item", "add", "Gown", "--unit", "piece", "--category", "ppe", staff="ghost")
    assert "no active staff member named 'ghost'" in one_line_error(nobody)
    bad_reason = place.run(
        "adjust", "--lot", "L-1", "--delta", "1", "--reason", "stolen", "--ref", "x", staff="wh1"
    )
    assert "is not one of: expired, damaged, count_correction" in one_line_error(bad_reason)
    assert _head(place) == head


def test_stock_refusals_another_sites_lot_too_many_units_a_paused_ledger(place: Office) -> None:
    service, _ = service_and_key(place, "intake")
    gift = stock(place, "note:cli:refusals", 120)
    place.index()
    lot = f"L-{_seq_of(place, 'lot', gift.lot_id)}"
    head = _head(place)

    def dispatch(staff: str, source: str, quantity: int) -> str:
        result = place.run(
            "ship",
            "dispatch",
            "--from",
            source,
            "--to",
            "Hospital Y",
            "--line",
            f"{lot}:{quantity}",
            "--ref",
            f"waybill:{staff}:{quantity}",
            staff=staff,
        )
        return one_line_error(result)

    assert "does not hold the site operator role" in dispatch(
        "wh2", "WH-1", 10
    )  # WH-1 is not wh2's site
    assert "is at WH-1, not at WH-2" in dispatch("wh2", "WH-2", 10)
    assert f"Lot {lot} holds 120; you tried to take 150." in dispatch("wh1", "WH-1", 150)
    admin = deployer_account(1337, "AIDLEDGER_DEPLOYER_KEY")
    ledger = service.ledger
    ledger.pause(admin)
    try:
        paused_head = _head(place)
        assert "The ledger is paused" in dispatch("wh1", "WH-1", 10)
        assert _head(place) == paused_head
    finally:
        ledger.unpause(admin)
    assert _head(place) == head + 2  # the pause and the unpause, nothing else


def test_status_reports_the_mirror_and_its_lag(place: Office) -> None:
    place.index()
    report = place.ok("status")
    assert report["lag_blocks"] == 0 and report["problems"] == []
    assert report["mirror"]["seq"] > 0  # type: ignore[index]


def test_a_revoked_member_can_no_longer_write(place: Office) -> None:
    place.ok("staff", "add", "--name", "temp", "--role", "coordinator")
    place.ok("staff", "revoke", "temp")
    result = place.run("item", "add", "Gown", "--unit", "piece", "--category", "ppe", staff="temp")
    assert "no active staff member named 'temp'" in one_line_error(result)


def _head(place: Office) -> int:
    w3 = Web3(Web3.HTTPProvider(place.url))
    ledger = AidLedger.attach(ChainClient(w3), Deployment.load(place.root / "deployments", 1337))
    return ledger.ledger_head()[0]


def _query(place: Office, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(place.root / "data" / "mirror.sqlite3") as conn:
        return list(conn.execute(sql, args))


def _id(place: Office, kind: str, name: str) -> str:
    table = {"item": "items", "site": "sites"}[kind]
    return str(_query(place, f"SELECT {kind}_id FROM {table} WHERE name = ?", name)[0][0])[2:]


def _seq_of(place: Office, kind: str, key: bytes) -> int:
    return int(str(_query(place, "SELECT seq FROM lots WHERE lot_id = ?", "0x" + key.hex())[0][0]))


def _receipt_lot(place: Office, shipment: str) -> str:
    rows = _query(
        place,
        "SELECT l.seq FROM shipment_lines sl JOIN shipments s USING (shipment_id) "
        "JOIN lots l ON l.lot_id = sl.receipt_lot_id WHERE s.seq = ?",
        int(shipment[2:]),
    )
    return f"L-{rows[0][0]}"
