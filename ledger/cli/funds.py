"""`aidledger allocate`, `release`, `purchase`: money out of pools and into goods."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.context import AsOpt, JsonOpt, RpcOpt, writer
from ledger.cli.options import REF_HELP, day, earmark

Ref = Annotated[str, typer.Option("--ref", help=REF_HELP)]
Amount = Annotated[str, typer.Option(help="Amount as written, e.g. 1,234.56.")]
Currency = Annotated[str, typer.Option(help="ISO 4217 code, e.g. CNY.")]


def allocate(
    amount: Amount,
    currency: Currency,
    ref: Ref,
    earmark_text: Annotated[
        str | None,
        typer.Option(
            "--earmark", help="The pool's earmark: purpose:TEXT, region:CODE, category:TEXT."
        ),
    ] = None,
    need: Annotated[str | None, typer.Option(help="The need it is for (label or 0x id).")] = None,
    purpose: Annotated[str | None, typer.Option(help="What it is for, e.g. masks.")] = None,
    signer: AsOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Allocate money out of a pool (currency + earmark) to a need or purpose (coordinator)."""
    from ledger.chain.ids import ZERO32, currency_code, label
    from ledger.write.commands import AllocateFunds
    from ledger.write.money import parse_amount

    kind, value = earmark(earmark_text)
    with writer(rpc) as w:
        command = AllocateFunds(
            ref,
            currency_code(currency),
            parse_amount(amount, currency),
            kind,
            value,
            w.resolve("need", need) if need else ZERO32,
            label(purpose) if purpose else ZERO32,
        )
        w.submit(w.signer(signer), command, as_json)


def release(
    allocation: Annotated[
        str, typer.Argument(help="The allocation (label such as A-12, or 0x id).")
    ],
    ref: Ref,
    signer: AsOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Return an allocation's unspent remainder to its pool (coordinator)."""
    from ledger.write.commands import ReleaseAllocation

    with writer(rpc) as w:
        command = ReleaseAllocation(ref, w.resolve("allocation", allocation))
        w.submit(w.signer(signer), command, as_json)


def purchase(
    allocation: Annotated[str, typer.Option(help="The allocation that pays (label or 0x id).")],
    supplier: Annotated[str, typer.Option(help="The supplier organisation (name or 0x id).")],
    amount: Amount,
    currency: Currency,
    item: Annotated[str, typer.Option(help="What was bought (name or 0x id).")],
    site: Annotated[str, typer.Option(help="The warehouse it arrives at (name or 0x id).")],
    quantity: Annotated[int, typer.Option(min=1, help="How many units.")],
    ref: Ref,
    invoice: Annotated[
        str, typer.Option(help="The invoice number or file name; its hash goes on chain.")
    ] = "",
    batch: Annotated[str | None, typer.Option(help="The manufacturer's batch code.")] = None,
    expiry: Annotated[str | None, typer.Option(help="Expiry date, e.g. 2021-06-30.")] = None,
    signer: AsOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record goods bought with allocated money; they become a new lot (coordinator)."""
    from ledger.chain.ids import ZERO32, label
    from ledger.write.commands import RecordPurchase
    from ledger.write.money import parse_amount

    with writer(rpc) as w:
        command = RecordPurchase(
            ref,
            allocation_id=w.resolve("allocation", allocation),
            supplier_id=w.resolve("org", supplier),
            amount=parse_amount(amount, currency),
            invoice_hash=label(invoice) if invoice else ZERO32,
            item_id=w.resolve("item", item),
            site_id=w.resolve("site", site),
            quantity=quantity,
            batch=label(batch) if batch else ZERO32,
            expiry=day(expiry),
        )
        w.submit(w.signer(signer), command, as_json)
