"""A deployed and seeded AidLedger system with named staff, sites and items, for contract tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3 import Web3

from ledger.chain.bindings import AUDITOR_ROLE, COORDINATOR_ROLE, INTAKE_ROLE, AidLedger
from ledger.chain.client import ChainClient
from ledger.chain.deployment import deploy_system
from ledger.chain.ids import currency_code, derive_id, label, region_code
from ledger.chain.types import OrgKind, SiteKind

STAFF = ("admin", "intake", "coordinator", "auditor", "wh_a", "wh_b", "hospital", "outsider")
CNY = currency_code("CNY")
USD = currency_code("USD")


def staff_key(name: str) -> LocalAccount:
    """A deterministic test key per staff name."""
    account: LocalAccount = Account.from_key(keccak(text=f"aidledger-test-staff-{name}"))
    return account


@dataclass
class World:
    """Everything a contract test needs, by name."""

    backend: str
    ledger: AidLedger
    staff: dict[str, LocalAccount]
    orgs: dict[str, bytes] = field(default_factory=dict)
    sites: dict[str, bytes] = field(default_factory=dict)
    items: dict[str, bytes] = field(default_factory=dict)

    def __getattr__(self, name: str) -> LocalAccount:
        staff = self.__dict__.get("staff", {})
        if name in staff:
            account: LocalAccount = staff[name]
            return account
        raise AttributeError(name)


def build_world(w3: Web3, backend: str) -> World:
    """Deploy the system, grant roles and register organisations, sites and items."""
    client = ChainClient(w3)
    staff = {name: staff_key(name) for name in STAFF}
    for account in staff.values():
        client.fund(account.address, 10**21)
    deployment = deploy_system(client, staff["admin"])
    ledger = AidLedger.attach(client, deployment)
    world = World(backend, ledger, staff)
    admin = staff["admin"]
    for role, who in (
        (INTAKE_ROLE, "intake"),
        (COORDINATOR_ROLE, "coordinator"),
        (AUDITOR_ROLE, "auditor"),
    ):
        ledger.grant_role(admin, role, staff[who].address)
    for key, org_kind, name in (
        ("relief", OrgKind.RELIEF_AGENCY, "Wuhan Relief Coalition"),
        ("hospital", OrgKind.HOSPITAL, "Jinyintan Hospital"),
        ("supplier", OrgKind.SUPPLIER, "Huabei Medical Supply"),
    ):
        world.orgs[key] = derive_id("org", key)
        ledger.register_organisation(admin, world.orgs[key], org_kind, name)
    for key, org, kind, region, operator in (
        ("wh_a", "relief", SiteKind.WAREHOUSE, "CN-HB", "wh_a"),
        ("wh_b", "relief", SiteKind.WAREHOUSE, "CN-GD", "wh_b"),
        ("hospital", "hospital", SiteKind.RECIPIENT, "CN-HB", "hospital"),
        ("clinic", "hospital", SiteKind.RECIPIENT, "CN-GD", "hospital"),
    ):
        world.sites[key] = derive_id("site", key)
        ledger.register_site(
            admin, world.sites[key], world.orgs[org], kind, region_code(region), key
        )
        ledger.grant_site_operator(admin, world.sites[key], staff[operator].address)
    for key, category, unit in (
        ("mask", "ppe", "piece"),
        ("gloves", "ppe", "pair"),
        ("rice", "food", "kg"),
    ):
        world.items[key] = derive_id("item", key)
        ledger.register_item(staff["coordinator"], world.items[key], label(category), unit, key)
    return world
