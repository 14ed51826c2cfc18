"""`aidledger match`: propose shipments and allocations for open needs; `--apply` records them.

The plan comes from the mirror (`ledger.queries`) through the pure planner
(`ledger.write.matching`); the rule is docs/matching.md. `--apply` sends each line through the
write service, signed by whoever `--as` names: a dispatch by the operator of the warehouse it
leaves, an allocation by a coordinator. Each line's id derives from what it was planned from,
so applying the same plan again records nothing twice.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ledger.cli.context import JsonOpt, RpcOpt, Writer, writer
from ledger.errors import AidLedgerConfigError, AidLedgerError, AidLedgerValueError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from sqlmodel import Session

    from ledger.write.matching import Plan, PlanLine, Pricing
    from ledger.write.service import Outcome

PriceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--unit-price",
        metavar="ITEM=AMOUNT",
        help="What one unit of ITEM costs in --currency, e.g. N95=3.50 (repeatable); "
        "money is proposed only for priced items.",
    ),
]
CurrencyOpt = Annotated[
    str, typer.Option(metavar="CODE", help="Currency of --unit-price; only its pools are drawn on.")
]
ApplyOpt = Annotated[bool, typer.Option("--apply", help="Record the plan (else only show it).")]
SignersOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--as",
        envvar="AIDLEDGER_STAFF",
        metavar="NAME",
        help="Who signs with --apply (repeatable): warehouse operators sign their dispatches, "
        "a coordinator the allocations; lines nobody given may sign are left out.",
    ),
]


def match(
    unit_price: PriceOpt = None,
    currency: CurrencyOpt = "CNY",
    apply: ApplyOpt = False,
    signers: SignersOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose shipments from warehouse stock, then money, for open needs (see docs/matching.md).

    Exit 1 when --apply left lines unrecorded (no signer given for them, or a refusal).
    """
    with writer(rpc) as w:
        session = _mirror(w)
        behind = _behind(w, session)
        if behind and apply:
            raise AidLedgerConfigError(f"{behind}; --apply plans only from an up-to-date mirror")
        keys = _signers(w, signers or []) if apply else {}
        if behind:
            typer.secho(f"warning: {behind}", err=True, fg="yellow")
        result = _plan(session, _pricing(w, unit_price or [], currency))
        report = Report(_mirror_at(session), result)
        if not as_json:
            _print_plan(w, report)
        if apply:
            _apply(w, report, keys, as_json)
        if as_json:
            typer.echo(json.dumps(report.as_json(w)))
    if report.skipped or report.refused:
        raise typer.Exit(1)


@dataclass
class Report:
    """The plan and, with --apply, what became of each line."""

    mirror: dict[str, int]
    plan: Plan
    applied: list[Outcome] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line number, who must sign)
    refused: str | None = None

    def as_json(self, w: Writer) -> dict[str, Any]:
        """The whole report as JSON-ready data."""
        return {
            "mirror": self.mirror,
            "lines": [_line_json(w, n, line) for n, line in enumerate(self.plan.lines, 1)],
            "needs": [{**asdict(c), "open": c.open} for c in self.plan.needs],
            "applied": [asdict(o) for o in self.applied],
            "skipped": [{"line": n, "needs_signer": who} for n, who in self.skipped],
            "refused": self.refused,
        }


# ---------------------------------------------------------------- reading


def _mirror(w: Writer) -> Session:
    if w.session is None:
        raise AidLedgerConfigError(
            "matching reads the mirror, which is not there: run `aidledger index`"
        )
    return w.session


def _mirror_at(session: Session) -> dict[str, int]:
    from ledger.store.models import IndexerState

    state = session.get(IndexerState, 1)
    if state is None:
        raise AidLedgerConfigError("the mirror is empty: run `aidledger index` first")
    return {"block": int(state.last_block), "seq": int(state.seq)}


def _behind(w: Writer, session: Session) -> str | None:
    """Why the mirror does not show the chain as it is now, or None."""
    from ledger.store.models import IndexerState

    state = session.get(IndexerState, 1)
    if state is None:
        raise AidLedgerConfigError("the mirror is empty: run `aidledger index` first")
    if state.chain_id != w.ledger.client.chain_id:
        return f"the mirror is of chain {state.chain_id}, the node of {w.ledger.client.chain_id}"
    seq, _ = w.ledger.ledger_head()
    if seq > state.seq:
        return (
            f"the mirror is behind the chain (ledger seq {state.seq:,} of {seq:,}): "
            "run `aidledger index` first"
        )
    return None


def _pricing(w: Writer, prices: list[str], currency: str) -> Pricing | None:
    """--unit-price ITEM=AMOUNT pairs as item id -> minor units of `currency`."""
    from ledger.chain.ids import currency_code
    from ledger.write.matching import Pricing
    from ledger.write.money import parse_amount

    currency_code(currency)  # refuses a malformed code in one line
    per_item: dict[str, int] = {}
    for text in prices:
        item, sep, amount = text.partition("=")
        if not sep or not item.strip() or not amount.strip():
            raise AidLedgerValueError(f"--unit-price {text!r} must look like N95=3.50")
        minor = parse_amount(amount.strip(), currency)
        if minor <= 0:
            raise AidLedgerValueError(f"--unit-price {text!r}: a unit price must be above zero")
        per_item["0x" + w.resolve("item", item.strip()).hex()] = minor
    return Pricing(currency, per_item) if per_item else None


def _plan(session: Session, pricing: Pricing | None) -> Plan:
    from ledger.queries.funds import pools
    from ledger.queries.needs import open_needs
    from ledger.queries.stock import en_route, warehouse_stock
    from ledger.write.matching import plan

    now = int(time.time())
    return plan(
        open_needs(session),
        warehouse_stock(session),
        en_route(session, now),
        pools(session, pricing.currency if pricing else None),
        now=now,
        pricing=pricing,
    )


# ---------------------------------------------------------------- applying


def _apply(w: Writer, report: Report, keys: dict[str, LocalAccount], as_json: bool) -> None:
    """Send each line signed by a fitting `--as` member; skip lines nobody given may sign."""
    for number, line in enumerate(report.plan.lines, 1):
        signer = keys.get(line.signer_site or "coordinator")
        if signer is None:
            who = _who_signs(w, line)
            report.skipped.append((number, who))
            if not as_json:
                typer.echo(f"not applied: {number}. {line.summary} — needs {who} in --as")
            continue
        try:
            outcome = w.service.submit(signer, line.command)
        except AidLedgerError as error:
            report.refused = f"line {number} ({line.summary}): {error}"
            typer.secho(f"error: {report.refused}", err=True, fg="red")
            return
        report.applied.append(outcome)
        if not as_json:
            from ledger.cli.context import show

            typer.echo(f"{number}. {line.summary}")
            show(outcome, False)


def _signers(w: Writer, names: list[str]) -> dict[str, LocalAccount]:
    """'coordinator' or a site's 0x id -> the key that signs for it."""
    from ledger.cli.context import staff_book

    if not names:
        raise AidLedgerConfigError(
            "--apply needs who signs: --as NAME for each warehouse operator and a coordinator "
            "(or AIDLEDGER_STAFF)"
        )
    book = staff_book(w.settings)
    keys: dict[str, LocalAccount] = {}
    for name in names:
        member = book.active(name)
        slot = "coordinator" if member.role == "coordinator" else member.site
        if member.role not in ("coordinator", "operator") or slot is None:
            raise AidLedgerValueError(
                f"{name} is {member.role}: matching is signed by warehouse operators and "
                "coordinators"
            )
        keys.setdefault(slot, w.signer(name))
    return keys


def _who_signs(w: Writer, line: PlanLine) -> str:
    if line.signer_site is None:
        return "a coordinator"
    from ledger.queries.names import name_of

    site = bytes.fromhex(line.signer_site[2:])
    name = name_of(w.session, "site", site) if w.session is not None else None
    return f"the operator of {name or line.signer_site}"


# ---------------------------------------------------------------- output


def _line_json(w: Writer, number: int, line: PlanLine) -> dict[str, Any]:
    from ledger.write.commands import DispatchShipment

    command = line.command
    data: dict[str, Any] = {
        "line": number,
        "action": "dispatch" if isinstance(command, DispatchShipment) else "allocate",
        "summary": line.summary,
        "reasons": list(line.reasons),
        "signer": _who_signs(w, line),
        "record_id": "0x" + command.record_id.hex(),
        "source": command.source,
    }
    if isinstance(command, DispatchShipment):
        data["from_site"] = "0x" + command.from_site.hex()
        data["to_site"] = "0x" + command.to_site.hex()
        data["lots"] = [
            {"lot_id": "0x" + bytes(ln.lot_id).hex(), "quantity": ln.quantity}
            for ln in command.lines
        ]
    else:
        data["currency"] = command.currency.decode()
        data["amount"] = command.amount
        data["earmark_kind"] = int(command.earmark_kind)
        data["earmark"] = "0x" + command.earmark.hex()
        data["need_id"] = "0x" + command.need_id.hex()
    return data


def _print_plan(w: Writer, report: Report) -> None:
    plan = report.plan
    at = report.mirror
    head = f"plan from the mirror at block {at['block']:,} (seq {at['seq']:,})"
    if not plan.lines:
        typer.echo(f"{head}: nothing to propose")
    else:
        typer.echo(f"{head}: {len(plan.lines)} write(s)")
    for number, line in enumerate(plan.lines, 1):
        typer.echo(f"{number:>3}. {line.summary} — signed by {_who_signs(w, line)}")
        for reason in line.reasons:
            typer.echo(f"       {reason}")
    if plan.needs:
        typer.echo(
            "needs, in the order served (outstanding = en route + funded + stock + funds + short):"
        )
    for c in plan.needs:
        note = "" if c.priced or not c.short else f" (no --unit-price for {c.item})"
        typer.echo(
            f"  {c.label} {c.site} {c.item}: {c.outstanding} = {c.en_route} + {c.funded} + "
            f"{c.from_stock} + {c.from_funds} + {c.short}{note}"
        )
