"""`aidledger org add`, `site add`, `item add`: the registry of who, where and what."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.context import AsOpt, JsonOpt, RpcOpt, writer
from ledger.cli.options import REF_HELP, choice

org_app = typer.Typer(help="Organisations (relief agencies, hospitals, suppliers, ...).")
site_app = typer.Typer(help="Sites: warehouses and recipient sites.")
item_app = typer.Typer(help="The item catalogue.")

Ref = Annotated[str | None, typer.Option("--ref", help=REF_HELP)]


@org_app.command("add")
def org_add(
    name: Annotated[str, typer.Argument(help="The organisation's public name.")],
    kind: Annotated[
        str, typer.Option(help="relief_agency, hospital, community, supplier, government, other")
    ],
    ref: Ref = None,
    signer: AsOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register an organisation (administrator)."""
    from ledger.chain.types import OrgKind
    from ledger.write.commands import RegisterOrganisation

    command = RegisterOrganisation(ref or f"org:{name}", choice(OrgKind, kind), name)
    with writer(rpc) as w:
        w.submit(w.admin(signer), command, as_json)


@site_app.command("add")
def site_add(
    name: Annotated[str, typer.Argument(help="The site's public name, e.g. WH-1.")],
    org: Annotated[str, typer.Option(help="The organisation that runs it (name or 0x id).")],
    kind: Annotated[str, typer.Option(help="warehouse or recipient")],
    region: Annotated[str, typer.Option(help="Region code, up to 8 characters, e.g. CN-HB.")],
    ref: Ref = None,
    signer: AsOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a warehouse or recipient site (administrator)."""
    from ledger.chain.ids import region_code
    from ledger.chain.types import SiteKind
    from ledger.write.commands import RegisterSite

    with writer(rpc) as w:
        command = RegisterSite(
            ref or f"site:{name}",
            w.resolve("org", org),
            choice(SiteKind, kind),
            region_code(region),
            name,
        )
        w.submit(w.admin(signer), command, as_json)


@item_app.command("add")
def item_add(
    name: Annotated[str, typer.Argument(help="The item's name, e.g. N95.")],
    unit: Annotated[str, typer.Option(help="The unit quantities count in, e.g. piece, box, kg.")],
    category: Annotated[str, typer.Option(help="Its category (what Category earmarks name).")],
    ref: Ref = None,
    signer: AsOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an item to the catalogue (coordinator)."""
    from ledger.chain.ids import label
    from ledger.write.commands import RegisterItem

    command = RegisterItem(ref or f"item:{name}", label(category), unit, name)
    with writer(rpc) as w:
        w.submit(w.signer(signer), command, as_json)
