"""What `aidledger demo` prints after seeding: three receipt codes with a story to tell (found
by tracing early gifts in the mirror) and the staff logins, kept in `<data dir>/demo/`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ledger.demo import scenario as sc
from ledger.demo.files import DEMO_PASSPHRASE, CodeRow, write_codes, write_summary
from ledger.demo.seeder import Seeder
from ledger.queries.trace import trace
from ledger.write.money import format_amount
from ledger.write.staff import StaffBook

LOOK_AT = 60  # early gifts traced to find the ones that went furthest


def _went_far(seeder: Seeder, ref: str) -> int:
    """How far a gift went: 3 handed over or shipped, 2 in a lot, 1 allocated, 0 not yet."""
    with seeder.session() as session:
        found = trace(session, seeder.code(ref).commitment)
    if found.flows:
        return 3
    return 2 if found.lots else (1 if found.allocations else 0)


def _best(seeder: Seeder, refs: list[str]) -> str | None:
    best, score = None, -1
    for ref in refs[:LOOK_AT]:
        far = _went_far(seeder, ref)
        if far > score:
            best, score = ref, far
        if far == 3:
            break
    return best


def showcase(seeder: Seeder) -> list[dict[str, str]]:
    """A money gift, an in-kind gift and a named donor's gift, each gone as far as any."""
    plan = seeder.plan
    money = [g.ref for g in plan.gifts if not g.public_name and not g.pledge]
    named = [g.ref for g in plan.gifts if g.public_name]
    goods = [g.ref for g in plan.in_kind]
    picks = []
    for title, refs in (("a money gift", money), ("goods given", goods), ("a named donor", named)):
        ref = _best(seeder, refs)
        if ref is not None:
            what = f"{title}: {_describe(plan, ref)}"
            picks.append({"what": what, "code": str(seeder.code(ref))})
    return picks


def _describe(plan: sc.Scenario, ref: str) -> str:
    for gift in plan.gifts:
        if gift.ref == ref:
            by = f" from {gift.public_name}" if gift.public_name else ""
            return describe_gift(gift) + by
    given = next(g for g in plan.in_kind if g.ref == ref)
    item = plan.item(given.item)
    return f"{given.quantity:,} {item.unit} {item.name} into {plan.site(given.site).name}"


def logins(seeder: Seeder) -> list[dict[str, Any]]:
    """Each demo staff member: name, role, address, the sites they operate."""
    book = StaffBook(seeder.data_dir / "staff.json")
    found = []
    for member in seeder.plan.staff:
        address = book.active(member.name).address
        sites = [seeder.plan.site(s).name for s in member.sites]
        found.append({"name": member.name, "role": member.role, "address": address, "sites": sites})
    return found


def summarise(seeder: Seeder) -> None:
    """Write every code, then the summary."""
    codes = save_codes(seeder)
    write_summary(
        seeder.data_dir,
        {
            "seed": seeder.plan.seed,
            "size": seeder.plan.size,
            "codes": showcase(seeder),
            "codes_file": str(codes),
            "staff": logins(seeder),
            "passphrase": DEMO_PASSPHRASE,
            "counts": {
                "money gifts": len(seeder.plan.gifts),
                "in-kind gifts": len(seeder.plan.in_kind),
                "pledges": len(seeder.plan.pledges),
                "needs": len(seeder.plan.needs),
            },
        },
    )


def describe_gift(gift: sc.GiftPlan) -> str:
    """'200.00 CNY'."""
    return format_amount(gift.amount, gift.currency)


def code_rows(seeder: Seeder) -> list[CodeRow]:
    """Every gift's code (money, then goods)."""
    plan = seeder.plan
    rows = [CodeRow(g.ref, "money", describe_gift(g), str(seeder.code(g.ref))) for g in plan.gifts]
    for g in seeder.plan.in_kind:
        item = seeder.plan.item(g.item)
        what = f"{g.quantity:,} {item.unit} {item.name}"
        rows.append(CodeRow(g.ref, "in kind", what, str(seeder.code(g.ref))))
    return rows


def save_codes(seeder: Seeder) -> Path:
    """Write every gift's code to `<data dir>/demo/receipt-codes.csv`."""
    return write_codes(seeder.data_dir, code_rows(seeder))
