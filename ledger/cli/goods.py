"""`aidledger need`, `ship`, `handover`, `adjust`: goods from warehouses to people."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.context import AsOpt, JsonOpt, RpcOpt, writer
from ledger.cli.options import REF_HELP, choice, day, pair

need_app = typer.Typer(help="Needs posted by recipient sites.", no_args_is_help=True)
ship_app = typer.Typer(help="Shipments between sites.", no_args_is_help=True)

Ref = Annotated[str, typer.Option("--ref", help=REF_HELP)]


@need_app.command("add")
def need_add(
    site: Annotated[str, typer.Option(help="The recipient site (name or 0x id).")],
    item: Annotated[str, typer.Option(help="The item needed (name or 0x id).")],
    quantity: Annotated[int, typer.Option(min=1, help="How many units.")],
    ref: Ref,
    priority: Annotated[int, typer.Option(min=0, max=3, help="0 low .. 3 critical.")] = 1,
    deadline: Annotated[str | None, typer.Option(help="Needed by, e.g. 2020-02-15.")] = None,
    signer: AsOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Post a need of a recipient site (its recipient staff, or a coordinator)."""
    from ledger.write.commands import PostNeed

    with writer(rpc) as w:
        command = PostNeed(
            ref, w.resolve("site", site), w.resolve("item", item), quantity, priority, day(deadline)
        )
        w.submit(w.signer(signer), command, as_json)


@need_app.command("close")
def need_close(
    need: Annotated[str, typer.Argument(help="The need (label such as N-12, or 0x id).")],
    ref: Ref,
    signer: AsOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Close a need that is met or no longer wanted."""
    from ledger.write.commands import CloseNeed

    with writer(rpc) as w:
        w.submit(w.signer(signer), CloseNeed(ref, w.resolve("need", need)), as_json)


@ship_app.command("dispatch")
def ship_dispatch(
    from_site: Annotated[str, typer.Option("--from", help="Your site (name or 0x id).")],
    to_site: Annotated[str, typer.Option("--to", help="Where it goes (name or 0x id).")],
    lines: Annotated[
        list[str], typer.Option("--line", help="LOT:QUANTITY, once per line, e.g. L-17:150.")
    ],
    ref: Ref,
    signer: AsOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Dispatch a shipment from your site (its operator)."""
    from ledger.chain.types import DispatchLine
    from ledger.write.commands import DispatchShipment

    parsed = [pair(text, "--line") for text in lines]
    with writer(rpc) as w:
        shipment = tuple(DispatchLine(w.resolve("lot", lot), qty) for lot, qty, _ in parsed)
        command = DispatchShipment(
            ref, w.resolve("site", from_site), w.resolve("site", to_site), shipment
        )
        w.submit(w.signer(signer), command, as_json)


@ship_app.command("receive")
def ship_receive(
    shipment: Annotated[str, typer.Argument(help="The shipment (label such as S-40, or 0x id).")],
    lines: Annotated[
        list[str],
        typer.Option(
            "--line",
            help="INDEX:RECEIVED[:REASON] per line, e.g. 0:150 or 1:90:damaged "
            "(reasons: damaged, lost, short, expired, refused).",
        ),
    ],
    ref: Ref,
    signer: AsOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Receive shipment lines at your site; a shortfall needs a reason (its operator)."""
    from ledger.chain.types import DiscrepancyReason, ReceiptLine
    from ledger.errors import AidLedgerValueError
    from ledger.write.commands import ReceiveShipment

    received = []
    for index, quantity, reason in (pair(text, "--line") for text in lines):
        if not index.isdigit():
            raise AidLedgerValueError(f"--line {index!r}: the line index is a number, from 0")
        why = choice(DiscrepancyReason, reason) if reason else DiscrepancyReason.NONE
        received.append(ReceiptLine(int(index), quantity, why))
    with writer(rpc) as w:
        command = ReceiveShipment(ref, w.resolve("shipment", shipment), tuple(received))
        w.submit(w.signer(signer), command, as_json)


def handover(
    lot: Annotated[str, typer.Option(help="The lot handed out (label or 0x id).")],
    need: Annotated[str, typer.Option(help="The need it meets (label or 0x id).")],
    quantity: Annotated[int, typer.Option(min=1, help="Units handed over.")],
    beneficiaries: Annotated[int, typer.Option(min=1, help="How many people or households.")],
    ref: Ref,
    unit: Annotated[str, typer.Option(help="people or households")] = "people",
    signer: AsOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record units of a lot handed to beneficiaries (counts, never names) (site operator)."""
    from ledger.chain.types import BeneficiaryUnit
    from ledger.write.commands import HandOver

    counted = choice(BeneficiaryUnit, unit)
    with writer(rpc) as w:
        command = HandOver(
            ref, w.resolve("lot", lot), w.resolve("need", need), quantity, beneficiaries, counted
        )
        w.submit(w.signer(signer), command, as_json)


def adjust(
    lot: Annotated[str, typer.Option(help="The lot (label or 0x id).")],
    delta: Annotated[int, typer.Option(help="Units added (+) or removed (-).")],
    reason: Annotated[str, typer.Option(help="expired, damaged or count_correction")],
    ref: Ref,
    signer: AsOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Adjust a lot in place: expiry or damage write-offs, count corrections (site operator)."""
    from ledger.chain.types import AdjustmentReason
    from ledger.write.commands import Adjust

    why = choice(AdjustmentReason, reason)
    with writer(rpc) as w:
        command = Adjust(ref, w.resolve("lot", lot), delta, why)
        w.submit(w.signer(signer), command, as_json)
