"""`aidledger match` on an office set up through the real CLI: the plan a known situation must
give, --apply through the write service signed by the right staff, the needs' remaining after a
re-index, and re-applying that writes nothing new."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import typer
from eth_account.signers.local import LocalAccount
from sqlmodel import Session
from typer.testing import CliRunner, Result
from web3 import Web3

from ledger.chain.bindings import AidLedger
from ledger.chain.client import ChainClient
from ledger.chain.deployment import Deployment
from ledger.chain.ids import donor_commitment, label, new_salt, region_earmark
from ledger.chain.types import EarmarkKind
from ledger.cli.deploy import deployer_account
from ledger.cli.match import match
from ledger.errors import AidLedgerConfigError, AidLedgerValueError
from ledger.queries.funds import pools
from ledger.queries.names import name_of
from ledger.queries.names import resolve as by_name
from ledger.queries.needs import open_needs
from ledger.queries.stock import en_route, warehouse_stock
from ledger.store.db import make_engine
from ledger.write.commands import CloseNeed, PostNeed, RecordGift, RecordInKindGift
from ledger.write.keys import Keystore
from ledger.write.matching import Pricing, plan
from ledger.write.service import WriteService
from ledger.write.staff import StaffBook
from tests.ledger.cli.office import PASSPHRASE, Office, office

app = typer.Typer()
app.command()(match)
app.command("noop")(lambda: None)  # two commands, so `match` is a subcommand as under main


def day(text: str) -> int:
    return int(datetime.fromisoformat(text + "T00:00:00+00:00").timestamp())


@dataclass(frozen=True)
class Situation:
    """The office with stock, money and two needs whose best plan is known."""

    place: Office
    ids: dict[str, str]  # name -> 0x id (sites, item, lots, needs)


def service_and_key(place: Office, staff: str) -> tuple[WriteService, LocalAccount]:
    """The write service and a staff member's key."""
    client = ChainClient(Web3(Web3.HTTPProvider(place.url)))
    ledger = AidLedger.attach(client, Deployment.load(place.root / "deployments", 1337))
    member = StaffBook(place.root / "data" / "staff.json").active(staff)
    key = Keystore(place.root / "data" / "keys").unlock(member.address, PASSPHRASE)
    return WriteService(ledger), key


def hexid(raw: bytes) -> str:
    return "0x" + raw.hex()


@pytest.fixture(scope="module")
def situation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Situation]:
    with office(tmp_path_factory.mktemp("match")) as place:
        yield Situation(place, seed(place))


def seed(place: Office) -> dict[str, str]:
    """Lots at both warehouses, a region-earmarked and an unearmarked gift, two needs."""
    service, intake = service_and_key(place, "intake")
    _, hosp = service_and_key(place, "hosp")
    ids = {name: resolve(place, "site", name) for name in ("WH-1", "WH-2", "Hospital Y")}
    ids["N95"] = resolve(place, "item", "N95")
    lots = {
        "early": ("WH-2", 150, day("2031-01-01")),
        "later": ("WH-1", 200, day("2032-01-01")),
        "open": ("WH-1", 1_000, 0),
        "stale": ("WH-1", 500, day("2020-01-01")),  # expired: never proposed
    }
    for name, (site, quantity, expiry) in lots.items():
        gift = RecordInKindGift(
            source=f"note:match:{name}",
            item_id=bytes.fromhex(ids["N95"][2:]),
            site_id=bytes.fromhex(ids[site][2:]),
            quantity=quantity,
            donor_commitment=donor_commitment("factory", new_salt()),
            evidence_hash=label("delivery note"),
            expiry=expiry,
        )
        service.submit(intake, gift)
        ids[name] = hexid(gift.lot_id)
    for source, amount, kind, earmark in (
        ("bank:1", 30_000, EarmarkKind.REGION, region_earmark("CN-HB")),
        ("bank:2", 1_000_000, EarmarkKind.NONE, bytes(32)),
    ):
        commitment = donor_commitment("donor", new_salt())
        money = RecordGift(source, b"CNY", amount, commitment, label(source), kind, earmark)
        service.submit(intake, money)
    hospital, n95 = bytes.fromhex(ids["Hospital Y"][2:]), bytes.fromhex(ids["N95"][2:])
    for name, quantity, priority in (("urgent", 300, 3), ("bulk", 1_500, 1)):
        need = PostNeed(f"form:{name}", hospital, n95, quantity, priority, 0)
        service.submit(hosp, need)
        ids[name] = hexid(need.record_id)
    place.index()
    return ids


def resolve(place: Office, kind: str, name: str) -> str:
    with Session(engine(place)) as session:
        return hexid(by_name(session, kind, name))


def engine(place: Office) -> Any:
    return make_engine(f"sqlite:///{place.root / 'data' / 'mirror.sqlite3'}")


def run(place: Office, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    """`match *args` in-process, in the office's directory and environment."""
    monkeypatch.chdir(place.root)
    env = {**place.env(), "AIDLEDGER_DATA_DIR": str(place.root / "data")}
    return CliRunner().invoke(app, ["match", *args], env=env)


def as_json(result: Result) -> dict[str, Any]:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


PRICE = ("--unit-price", "N95=2.00")


def check_text_plan(place: Office, ids: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a price: stock only, a reason per line, the rest said to be short."""
    text = run(place, monkeypatch)
    assert text.exit_code == 0, text.output
    out = text.stdout
    assert "2 write(s)" in out and "ship WH-2 → Hospital Y" in out
    assert "expires 2031-01-01; same country CN-GD" in out
    assert "no --unit-price for N95" in out and "allocate" not in out
    assert "signed by the operator of WH-1" in out
    with Session(engine(place)) as session:
        stale = name_of(session, "lot", bytes.fromhex(ids["stale"][2:]))
        fresh = name_of(session, "lot", bytes.fromhex(ids["open"][2:]))
    assert f"{fresh}: 1000" in out and f"{stale}:" not in out


def check_priced_plan(planned: dict[str, Any], ids: dict[str, str]) -> None:
    """The known best plan: FEFO across both warehouses, then the region pool, then the rest."""
    lines = planned["lines"]
    assert [
        (ln["action"], ln["from_site"] if "from_site" in ln else ln["earmark_kind"]) for ln in lines
    ] == [
        ("dispatch", ids["WH-2"]),
        ("dispatch", ids["WH-1"]),
        ("allocate", int(EarmarkKind.REGION)),
        ("allocate", int(EarmarkKind.NONE)),
    ]
    assert lines[0]["lots"] == [{"lot_id": ids["early"], "quantity": 150}]
    assert lines[1]["lots"] == [
        {"lot_id": ids["later"], "quantity": 200},
        {"lot_id": ids["open"], "quantity": 1_000},
    ]
    assert [ln["amount"] for ln in lines[2:]] == [30_000, 60_000]  # 150 + 300 units at 2.00
    assert all(ln["need_id"] == ids["bulk"] for ln in lines[2:])
    assert lines[0]["signer"] == "the operator of WH-2" and lines[2]["signer"] == "a coordinator"
    needs = {n["need_id"]: n for n in planned["needs"]}
    assert (needs[ids["urgent"]]["from_stock"], needs[ids["urgent"]]["short"]) == (300, 0)
    bulk = needs[ids["bulk"]]
    assert (bulk["from_stock"], bulk["from_funds"], bulk["short"]) == (1_050, 450, 0)


def test_match_plans_stock_first_then_money_and_applies_once(
    situation: Situation, monkeypatch: pytest.MonkeyPatch
) -> None:
    place, ids = situation.place, situation.ids
    place.index()
    check_text_plan(place, ids, monkeypatch)
    check_priced_plan(as_json(run(place, monkeypatch, *PRICE, "--json")), ids)

    # a coordinator alone records the allocations and leaves the dispatches, saying who signs
    partial = run(place, monkeypatch, *PRICE, "--apply", "--as", "coord", "--json")
    assert partial.exit_code == 1
    report = as_json(partial)
    assert [a["command"] for a in report["applied"]] == ["AllocateFunds", "AllocateFunds"]
    assert report["skipped"] == [
        {"line": 1, "needs_signer": "the operator of WH-2"},
        {"line": 2, "needs_signer": "the operator of WH-1"},
    ]
    stale = run(place, monkeypatch, *PRICE, "--apply", "--as", "coord")
    assert isinstance(stale.exception, AidLedgerConfigError)
    assert "behind the chain" in str(stale.exception)

    # the same plan, from the mirror as it was, records nothing twice
    service, coord = service_and_key(place, "coord")
    again = replan(place)
    money = [ln for ln in again.lines if ln.signer_site is None]
    assert [service.submit(coord, ln.command).already_recorded for ln in money] == [True, True]

    place.index()
    rest = run(
        place,
        monkeypatch,
        *PRICE,
        "--apply",
        "--as",
        "wh1",
        "--as",
        "wh2",
        "--as",
        "coord",
        "--json",
    )
    assert rest.exit_code == 0, rest.output
    done = as_json(rest)
    assert [a["command"] for a in done["applied"]] == ["DispatchShipment", "DispatchShipment"]
    assert not any(a["already_recorded"] for a in done["applied"])
    after = {n["need_id"]: n for n in done["needs"]}
    assert after[ids["bulk"]]["funded"] == 450  # the allocations count as covered now

    place.index()
    settled = as_json(run(place, monkeypatch, *PRICE, "--json"))
    assert settled["lines"] == []
    final = {n["need_id"]: n for n in settled["needs"]}
    assert (final[ids["urgent"]]["en_route"], final[ids["urgent"]]["open"]) == (300, 0)
    assert (final[ids["bulk"]]["en_route"], final[ids["bulk"]]["funded"]) == (1_050, 450)
    assert final[ids["bulk"]]["open"] == 0

    head_before = ledger_seq(service)
    once_more = run(place, monkeypatch, *PRICE, "--apply", "--as", "wh1", "--json")
    assert once_more.exit_code == 0 and as_json(once_more)["applied"] == []
    assert ledger_seq(service) == head_before
    assert "nothing to propose" in run(place, monkeypatch, *PRICE).stdout


def replan(place: Office) -> Any:
    """The planner over the mirror as it stands, as `match` runs it."""
    with Session(engine(place)) as session:
        item = resolve(place, "item", "N95")
        return plan(
            open_needs(session),
            warehouse_stock(session),
            en_route(session, 1_700_000_000),
            pools(session, "CNY"),
            now=1_700_000_000,
            pricing=Pricing("CNY", {item: 200}),
        )


def ledger_seq(service: WriteService) -> int:
    return service.ledger.ledger_head()[0]


def test_apply_without_a_signer_or_with_a_bad_price_writes_nothing(
    situation: Situation, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = situation.place
    service, _ = service_and_key(place, "coord")
    before = ledger_seq(service)
    nobody = run(place, monkeypatch, "--apply")
    assert isinstance(nobody.exception, AidLedgerConfigError) and "--as" in str(nobody.exception)
    clerk = run(place, monkeypatch, "--apply", "--as", "intake")
    assert isinstance(clerk.exception, AidLedgerValueError)
    assert "warehouse operators and coordinators" in str(clerk.exception)
    for bad in ("N95", "N95=0", "Gauze=1.00"):
        result = run(place, monkeypatch, "--unit-price", bad)
        assert result.exception is not None and result.exit_code != 0, bad
    assert ledger_seq(service) == before


def test_a_line_the_chain_refuses_stops_the_run_with_the_reason(
    situation: Situation, monkeypatch: pytest.MonkeyPatch
) -> None:
    place, ids = situation.place, situation.ids
    service, _ = service_and_key(place, "coord")
    _, hosp = service_and_key(place, "hosp")
    hospital, n95 = bytes.fromhex(ids["Hospital Y"][2:]), bytes.fromhex(ids["N95"][2:])
    extra = PostNeed("form:while-paused", hospital, n95, 10, 0, 0)
    service.submit(hosp, extra)  # whatever ran before, the plan has lines
    admin = deployer_account(1337, "AIDLEDGER_DEPLOYER_KEY")
    service.ledger.pause(admin)
    try:
        place.index()
        before = ledger_seq(service)
        signers = ("--as", "wh1", "--as", "wh2", "--as", "coord")
        result = run(place, monkeypatch, *PRICE, "--apply", *signers, "--json")
        report = as_json(result)
        assert result.exit_code == 1 and report["lines"] and report["applied"] == []
        assert report["refused"].startswith("line 1 (") and "paused" in report["refused"].lower()
        assert ledger_seq(service) == before
    finally:
        service.ledger.unpause(admin)
        service.submit(hosp, CloseNeed("form:while-paused:close", extra.record_id))
        place.index()
