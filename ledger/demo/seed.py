"""Seed the demo: the scenario (`ledger.demo.scenario`) written through the real write service.

Every write is signed by the staff member whose job it is, with their own key: the admin
registers organisations and sites and enrols staff; the coordinator registers items, allocates
and buys; intake clerks record gifts (money in `RecordGifts` batches, one bank statement a week
through `ledger.write.intake`, goods in `recordInKindGifts` batches); recipient officers post
needs, receive shipments and hand over; warehouse operators dispatch and write off expired stock.
Time runs over ten weeks (`evm_setNextBlockTimestamp`), and the mirror is indexed before each
matching round, which plans with the real planner (`ledger.write.matching`).

A journal in `<data dir>/demo/` records each finished phase, so a second run writes nothing, and
a run stopped half-way resumes at the phase it was in (whose writes are idempotent: the same
source records give the same ids).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address
from web3.types import Wei

from ledger.chain.ids import ZERO32, currency_code, label, region_earmark
from ledger.chain.types import EarmarkKind
from ledger.demo import rounds
from ledger.demo import scenario as sc
from ledger.demo.commands import RecordInKindGifts
from ledger.demo.files import DEMO_PASSPHRASE, Journal, demo_dir
from ledger.demo.seeder import GAS_MONEY, KEY_WORK_FACTOR, Seeder, Tally
from ledger.demo.summary import summarise
from ledger.errors import AidLedgerConfigError
from ledger.write.commands import (
    AllocateFunds,
    Command,
    GrantSiteOperator,
    RecordGift,
    RecordGifts,
    RecordInKindGift,
    RecordPledge,
    RecordPurchase,
    RegisterItem,
    RegisterOrganisation,
)
from ledger.write.intake import IntakeOptions, import_statement
from ledger.write.keys import Keystore
from ledger.write.staff import StaffBook, enrol
from ledger.write.statement import Columns, read_statement

GIFT_BATCH = 150
IN_KIND_BATCH = 50


# ---------------------------------------------------------------- the run


def phases(plan: sc.Scenario) -> list[str]:
    """Every phase in order: the journal's unit and the progress bar's."""
    found = ["setup"]
    for week in range(sc.WEEKS):
        found += [f"week {week + 1}: gifts", f"week {week + 1}: goods"]
        first = week * sc.ROUNDS_PER_WEEK
        found += [f"round {r + 1}" for r in range(first, first + sc.ROUNDS_PER_WEEK)]
        found += [f"week {week + 1}: expiry"]
    return found


def seed(seeder: Seeder) -> Tally:
    """Run every phase not done yet; write the codes and the summary at the end."""
    seeder.journal = _journal(seeder)
    for phase in phases(seeder.plan):
        if phase in seeder.journal.done:
            seeder.progress(phase)
            continue
        if not seeder.keys and phase != "setup":
            unlock_staff(seeder)
        _run_phase(seeder, phase)
        seeder.journal.finish(seeder.data_dir, phase)
        seeder.progress(phase)
    if not seeder.journal.complete:
        seeder.index()
        summarise(seeder)
        seeder.journal.complete = True
        seeder.journal.save(seeder.data_dir)
    return seeder.tally


def _journal(seeder: Seeder) -> Journal:
    journal = Journal.load(seeder.data_dir)
    if journal is None:
        plan = seeder.plan
        journal = Journal(plan.seed, plan.size, seeder.head_time(), registry=registry_of(seeder))
        journal.save(seeder.data_dir)
    check_journal(seeder, journal)
    return journal


def registry_of(seeder: Seeder) -> str:
    """The deployment the demo writes to, by its registry address."""
    return seeder.deployment.registry.lower()


def check_journal(seeder: Seeder, journal: Journal) -> None:
    """Refuse a journal of another seed, size or chain in one line."""
    plan = seeder.plan
    afresh = "start afresh (`make clean`, or another AIDLEDGER_DATA_DIR)"
    if (journal.seed, journal.size) != (plan.seed, plan.size):
        raise AidLedgerConfigError(
            f"{demo_dir(seeder.data_dir)} holds the demo of seed {journal.seed} at size "
            f"{journal.size:g}, not seed {plan.seed} at size {plan.size:g}: run with those, or "
            + afresh
        )
    if journal.registry and journal.registry != registry_of(seeder):
        raise AidLedgerConfigError(
            f"{demo_dir(seeder.data_dir)} holds a demo seeded on another deployment (registry "
            f"{journal.registry}), not on {registry_of(seeder)}: the chain was reset since; "
            + afresh
        )


def _run_phase(seeder: Seeder, phase: str) -> None:
    if phase == "setup":
        setup(seeder)
        return
    head, _, what = phase.partition(": ")
    number = int(head.split()[1]) - 1
    if head.startswith("round"):
        rounds.run_round(seeder, number)
    elif what == "gifts":
        money(seeder, number)
    elif what == "goods":
        goods(seeder, number)
    else:
        rounds.write_off_expired(seeder, number)


# ---------------------------------------------------------------- setup


def setup(seeder: Seeder) -> None:
    """Organisations and sites (admin), staff with their keys, items (the coordinator)."""
    plan = seeder.plan
    admin = seeder.admin
    seeder.submit_all(
        [(admin, RegisterOrganisation(f"demo:org:{o.key}", o.kind, o.name)) for o in plan.orgs]
    )
    seeder.submit_all([(admin, seeder.site_command(site)) for site in plan.sites])
    enrol_staff(seeder)
    coordinator = seeder.role_key("coordinator")
    seeder.submit_all(
        [
            (coordinator, RegisterItem(f"demo:item:{i.key}", label(i.category), i.unit, i.name))
            for i in plan.items
        ]
    )


def _book(seeder: Seeder) -> StaffBook:
    return StaffBook(seeder.data_dir / "staff.json")


def _keystore(seeder: Seeder) -> Keystore:
    return Keystore(seeder.data_dir / "keys", work_factor=KEY_WORK_FACTOR)


def enrol_staff(seeder: Seeder) -> None:
    """Each staff member's key and role (the book's site is the first they operate; the
    other sites of a district are granted beside it), and gas money on the dev chain."""
    book, keys = _book(seeder), _keystore(seeder)
    known = {m.name for m in book.members() if m.active}
    w3 = seeder.ledger.client.w3
    for member in seeder.plan.staff:
        sites = [seeder.site_id(s) for s in member.sites]
        if member.name not in known:
            first = sites[0] if sites else None
            enrol(
                seeder.service,
                seeder.admin,
                book,
                keys,
                (member.name, member.role, first),
                DEMO_PASSPHRASE,
            )
        address = to_checksum_address(book.active(member.name).address)
        for site in sites[1:]:
            command = GrantSiteOperator(f"staff:{member.name}:{site.hex()}", site, address)
            seeder.submit(seeder.admin, command)
        if w3.eth.get_balance(address) < GAS_MONEY // 10:
            fund(seeder, address)
    unlock_staff(seeder)


def fund(seeder: Seeder, address: str) -> None:
    """Gas money from the node's last dev account (the first is the admin, whose nonces the
    write service counts)."""
    w3 = seeder.ledger.client.w3
    tx = w3.eth.send_transaction(
        {"from": w3.eth.accounts[-1], "to": to_checksum_address(address), "value": Wei(GAS_MONEY)}
    )
    w3.eth.wait_for_transaction_receipt(tx)


def unlock_staff(seeder: Seeder) -> None:
    """Every demo staff member's key, unlocked with the demo passphrase."""
    book, keys = _book(seeder), _keystore(seeder)
    for member in seeder.plan.staff:
        seeder.keys[member.name] = keys.unlock(book.active(member.name).address, DEMO_PASSPHRASE)


# ---------------------------------------------------------------- money


def _earmark(kind: EarmarkKind, value: str) -> bytes:
    if kind is EarmarkKind.NONE:
        return ZERO32
    if kind is EarmarkKind.REGION:
        return region_earmark(value)
    return label(value)


def pledge_command(seeder: Seeder, pledge: sc.PledgePlan) -> RecordPledge:
    """The RecordPledge of a planned pledge (its id is what instalments name)."""
    return RecordPledge(
        seeder.source(pledge.ref),
        currency_code(pledge.currency),
        pledge.amount,
        seeder.code(pledge.ref).commitment,
        seeder.at_day(pledge.due_week * 7),
        pledge.earmark_kind,
        _earmark(pledge.earmark_kind, pledge.earmark),
    )


def gift_command(seeder: Seeder, gift: sc.GiftPlan) -> RecordGift:
    """The RecordGift of a planned money gift."""
    pledge_id = ZERO32
    if gift.pledge:
        pledge = next(p for p in seeder.plan.pledges if p.ref == gift.pledge)
        pledge_id = pledge_command(seeder, pledge).record_id
    return RecordGift(
        seeder.source(gift.ref),
        currency_code(gift.currency),
        gift.amount,
        seeder.code(gift.ref).commitment,
        keccak(text=f"demo evidence {gift.ref}"),
        gift.earmark_kind,
        _earmark(gift.earmark_kind, gift.earmark),
        pledge_id,
        gift.public_name,
    )


def money(seeder: Seeder, week: int) -> None:
    """The week's pledges, gifts in batches by both clerks, and the bank statement."""
    seeder.advance_to(week * 7)
    plan = seeder.plan
    pledged = [p for p in plan.pledges if p.week == week]
    seeder.submit_all(
        [(seeder.role_key("intake", n), pledge_command(seeder, p)) for n, p in enumerate(pledged)]
    )
    gifts = [g for g in plan.gifts if g.week == week]
    direct = [gift_command(seeder, g) for g in gifts if not g.via_statement]
    batches: list[tuple[LocalAccount, Command]] = []
    for n, start in enumerate(range(0, len(direct), GIFT_BATCH)):
        chunk = tuple(direct[start : start + GIFT_BATCH])
        batches.append((seeder.role_key("intake", n), RecordGifts(chunk[0].source, chunk)))
    seeder.submit_all(batches)
    banked = [g for g in gifts if g.via_statement]
    if banked:
        statement(seeder, week, banked)


def statement(seeder: Seeder, week: int, gifts: list[sc.GiftPlan]) -> None:
    """The week's bank transfers as a statement CSV, imported like `aidledger gift import`;
    its codes file is written first with the seed's codes, which the import keeps."""
    folder = demo_dir(seeder.data_dir)
    path = folder / f"bank-statement-week-{week + 1:02d}.csv"
    codes = folder / f"bank-statement-week-{week + 1:02d}.codes.csv"
    day = datetime.fromtimestamp(seeder.at_day(week * 7), UTC).date()
    rows = io.StringIO(newline="")
    out = csv.writer(rows, lineterminator="\r\n")
    out.writerow(("date", "amount", "currency", "reference", "payer"))
    keep = io.StringIO(newline="")
    kept = csv.writer(keep, lineterminator="\r\n")
    kept.writerow(("reference", "receipt_code"))
    for n, gift in enumerate(gifts):
        reference = statement_reference(gift, week)
        when = day + timedelta(days=n % 7)
        out.writerow((when.isoformat(), f"{gift.amount / 100:.2f}", "CNY", reference, gift.payer))
        kept.writerow((reference, str(seeder.code(gift.ref))))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(rows.getvalue(), encoding="utf-8")
    if not codes.exists():
        codes.write_text(keep.getvalue(), encoding="utf-8")
        codes.chmod(0o600)
    options = IntakeOptions(source_prefix=f"demo-{seeder.plan.seed}:bank:")
    report = import_statement(
        seeder.service, seeder.role_key("intake"), read_statement(path, Columns()), codes, options
    )
    seeder.tally.written += len(report.recorded)
    seeder.tally.repeated += len(report.already)


def statement_reference(gift: sc.GiftPlan, week: int) -> str:
    """The bank reference of a statement gift."""
    return f"LJB{week + 1:02d}{gift.ref.removeprefix('gift-')}"


# ---------------------------------------------------------------- goods


def in_kind_command(seeder: Seeder, gift: sc.InKindPlan) -> RecordInKindGift:
    """The RecordInKindGift of a planned gift of goods."""
    return RecordInKindGift(
        seeder.source(gift.ref),
        seeder.item_id(gift.item),
        seeder.site_id(gift.site),
        gift.quantity,
        seeder.code(gift.ref).commitment,
        keccak(text=f"demo delivery note {gift.ref}"),
        label(gift.batch),
        seeder.at_day(gift.expiry_day) if gift.expiry_day else 0,
        gift.public_name,
    )


def goods(seeder: Seeder, week: int) -> None:
    """The week's in-kind gifts (batches) and the coordinator's purchases for a purpose."""
    seeder.advance_to(week * 7 + 0.25)
    given = [in_kind_command(seeder, g) for g in seeder.plan.in_kind if g.week == week]
    batches: list[tuple[LocalAccount, Command]] = []
    for n, start in enumerate(range(0, len(given), IN_KIND_BATCH)):
        chunk = tuple(given[start : start + IN_KIND_BATCH])
        batches.append((seeder.role_key("intake", n), RecordInKindGifts(chunk[0].source, chunk)))
    seeder.submit_all(batches)
    for purchase in (p for p in seeder.plan.purchases if p.week == week):
        buy_for_purpose(seeder, purchase)


def buy_for_purpose(seeder: Seeder, purchase: sc.PurchasePlan) -> None:
    """Allocate from the purpose's pool what it holds (up to the order) and buy with it."""
    currency = currency_code(purchase.currency)
    earmark = label(purchase.purpose)
    pool = seeder.ledger.pool_id(currency, EarmarkKind.PURPOSE, earmark)
    received, allocated = seeder.ledger.pool(pool)
    allocate = AllocateFunds(
        seeder.source(f"{purchase.ref}:allocation"),
        currency,
        0,
        EarmarkKind.PURPOSE,
        earmark,
        purpose=earmark,
    )
    found = seeder.service.find(allocate)
    if found is None:
        units = min(purchase.quantity, (received - allocated) // purchase.unit_price)
        if units <= 0:
            return
        amount = units * purchase.unit_price
        allocate = AllocateFunds(
            allocate.source, currency, amount, EarmarkKind.PURPOSE, earmark, purpose=earmark
        )
        seeder.submit(seeder.role_key("coordinator"), allocate)
    else:
        amount = int(seeder.ledger.fund.functions.allocation(allocate.record_id).call()[1])
        units = amount // purchase.unit_price
    coordinator = seeder.role_key("coordinator")
    seeder.submit(
        coordinator,
        RecordPurchase(
            seeder.source(purchase.ref),
            allocate.record_id,
            seeder.org_id(purchase.supplier),
            amount,
            keccak(text=f"demo invoice {purchase.batch}"),
            seeder.item_id(purchase.item),
            seeder.site_id(purchase.site),
            units,
            label(purchase.batch),
            0,
        ),
    )
