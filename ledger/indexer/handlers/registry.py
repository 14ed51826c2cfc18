"""Handlers of AidRegistry events: roles, organisations, sites, items, attestations."""

from __future__ import annotations

from ledger.indexer.handlers.args import (
    AttestationPostedArgs,
    ItemRegisteredArgs,
    LedgersBoundArgs,
    OrganisationRegisteredArgs,
    PauseChangedArgs,
    RoleChangedArgs,
    SiteRegisteredArgs,
)
from ledger.indexer.handlers.base import Context, Group, on, opt


@on("AidRegistry:LedgersBound")
def _ledgers_bound(ctx: Context[LedgersBoundArgs]) -> None:
    """Nothing to mirror: the deployment file already names the ledgers."""


@on("AidRegistry:PauseChanged")
def _pause_changed(ctx: Context[PauseChangedArgs]) -> None:
    """Pauses live in raw_events only."""


@on("AidRegistry:RoleChanged", reads=(Group("role_members", "role", "role"),))
def _role_changed(ctx: Context[RoleChangedArgs]) -> None:
    a, members = ctx.a, ctx.unit["role_members"]
    # found among the role's members (declared above), so an account new to the role costs no
    # lookup of its own
    row = next((r for r in members.where("role", a["role"]) if r["account"] == a["account"]), None)
    if row is None:
        members.insert(
            {"role": a["role"], "account": a["account"], "granted": a["granted"], "seq": ctx.seq}
        )
    else:
        members.change(row, granted=a["granted"], seq=ctx.seq)


@on("AidRegistry:OrganisationRegistered")
def _organisation(ctx: Context[OrganisationRegisteredArgs]) -> None:
    a = ctx.a
    ctx.unit["organisations"].insert(
        {"org_id": a["orgId"], "kind": a["kind"], "name": a["name"], "seq": ctx.seq}
    )


@on("AidRegistry:SiteRegistered")
def _site(ctx: Context[SiteRegisteredArgs]) -> None:
    a = ctx.a
    row = {
        "site_id": a["siteId"],
        "org_id": a["orgId"],
        "kind": a["kind"],
        "region": a["region"],
        "name": a["name"],
    }
    ctx.unit["sites"].insert({**row, "seq": ctx.seq})


@on("AidRegistry:ItemRegistered")
def _item(ctx: Context[ItemRegisteredArgs]) -> None:
    a = ctx.a
    row = {"item_id": a["itemId"], "category": a["category"], "unit": a["unit"], "name": a["name"]}
    ctx.unit["items"].insert({**row, "seq": ctx.seq})


@on("AidRegistry:AttestationPosted")
def _attestation(ctx: Context[AttestationPostedArgs]) -> None:
    a = ctx.a
    ctx.unit["attestations"].insert(
        {
            "attestation_id": a["attestationId"],
            "report_hash": opt(a["reportHash"]),
            "from_block": a["fromBlock"],
            "to_block": a["toBlock"],
            "covered_seq": a["coveredSeq"],
            "covered_head": a["coveredHead"],
            "actor": a["actor"],
            "seq": ctx.seq,
        }
    )
