"""`aidledger staff add | list | revoke`: staff keys, their roles on chain, their records."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer

from ledger.cli.context import AsOpt, JsonOpt, RpcOpt, keys_dir, passphrase, staff_book, writer
from ledger.config import DEV_CHAIN_IDS, load_settings

staff_app = typer.Typer(help="Staff: who signs which writes.", no_args_is_help=True)
GAS_MONEY = 10**18  # wei given to a new key on a dev chain


@staff_app.command("add")
def staff_add(
    name: Annotated[str, typer.Option(help="The person's name (kept off chain).")],
    role: Annotated[
        str, typer.Option(help="admin, intake, coordinator, auditor, operator, recipient")
    ],
    site: Annotated[
        str | None, typer.Option(help="The site (name or 0x id) of an operator or recipient.")
    ] = None,
    signer: AsOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an encrypted key for a staff member and grant the role on chain (administrator)."""
    from ledger.write.keys import Keystore
    from ledger.write.staff import check_role, enrol

    with writer(rpc) as w:
        site_id = w.resolve("site", site) if site else None
        check_role(role, site_id)
        admin = w.admin(signer)
        keys = Keystore(keys_dir(w.settings))
        member = enrol(
            w.service, admin, staff_book(w.settings), keys, (name, role, site_id), passphrase(True)
        )
        funded = w.ledger.client.chain_id in DEV_CHAIN_IDS
        if funded:
            w.ledger.client.fund(member.address, GAS_MONEY)
    if as_json:
        typer.echo(json.dumps(asdict(member)))
        return
    typer.echo(f"added {member.name} ({member.role}) with key {member.address}")
    if not funded:
        typer.echo(f"send gas money to {member.address} before they write", err=True)


@staff_app.command("list")
def staff_list(
    everyone: Annotated[bool, typer.Option("--all", help="Include revoked members.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List staff members, their roles and addresses."""
    members = [m for m in staff_book(load_settings()).members() if everyone or m.active]
    if as_json:
        typer.echo(json.dumps([asdict(m) for m in members]))
        return
    if not members:
        typer.echo("no staff yet: add one with `aidledger staff add`")
    for m in members:
        where = f" at {m.site}" if m.site else ""
        state = "" if m.active else " (revoked)"
        typer.echo(f"{m.name:<24} {m.role:<12} {m.address}{where}{state}")


@staff_app.command("revoke")
def staff_revoke(
    name: Annotated[str, typer.Argument(help="The staff member to revoke.")],
    signer: AsOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a member's role on chain; their key can no longer write (administrator)."""
    from ledger.write.staff import withdraw

    with writer(rpc) as w:
        member = withdraw(w.service, w.admin(signer), staff_book(w.settings), name)
    if as_json:
        typer.echo(json.dumps(asdict(member)))
        return
    typer.echo(f"revoked {member.name} ({member.role}, {member.address})")
