"""The synthetic relief operation's world for `bench/_history.py`: sizes and catalogues, ids
derived as the contracts derive them, and the records the history keeps of what exists."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from ledger.chain import ids
from ledger.chain.codec import checksum_address, keccak256
from ledger.chain.types import EarmarkKind, OrgKind, SiteKind
from ledger.demo.rounds import receipt_lot

ZERO = "0x" + "00" * 32
Event = tuple[str, str, dict[str, Any]]  # (contract, event name, arguments)
Tx = list[Event]
EVENTS_PER_BLOCK = 70  # about what bench/workload.py packs into a block
START = 1_788_220_800  # 2026-09-01 00:00 UTC: the first block
SPAN = 90 * 86_400  # the history covers 90 days
DAY = 86_400

REGIONS = ("CN-HB", "CN-GD", "CN-SH", "CN-SC", "CN-YN", "CN-HA")
# (key, kind, name)
ORGS = (
    ("relief", OrgKind.RELIEF_AGENCY, "China Relief Foundation"),
    ("redcross", OrgKind.RELIEF_AGENCY, "湖北省红十字会"),
    ("hospitals", OrgKind.HOSPITAL, "Provincial Hospital Group"),
    ("community", OrgKind.COMMUNITY, "社区互助会"),
    ("gov", OrgKind.GOVERNMENT, "Emergency Management Bureau"),
    ("supplier-a", OrgKind.SUPPLIER, "Jiangsu Medical Supply Co."),
    ("supplier-b", OrgKind.SUPPLIER, "粮油贸易有限公司"),
    ("supplier-c", OrgKind.SUPPLIER, "Global PPE Trading"),
)
SUPPLIERS = ("supplier-a", "supplier-b", "supplier-c")
RECIPIENTS = (("Hospital", "hospitals"), ("Community centre", "community"), ("Shelter", "gov"))
# (category, unit, names, price in minor units per unit)
CATALOGUE = (
    ("ppe", "piece", ("N95 mask", "Surgical mask", "Face shield", "Protective gown"), 120),
    ("ppe", "pair", ("Nitrile gloves", "Shoe covers"), 60),
    ("food", "kg", ("Rice", "Flour", "Noodles", "Sugar"), 600),
    ("food", "litre", ("Cooking oil", "Drinking water"), 900),
    ("medical", "kit", ("Test kit", "First-aid kit", "Suture kit"), 4_000),
    ("medical", "cylinder", ("Oxygen cylinder",), 30_000),
    ("medical", "box", ("Antipyretics", "Antibiotics", "Bandages", "Syringes"), 2_500),
    ("shelter", "piece", ("Tent", "Blanket", "Sleeping mat", "Folding bed"), 8_000),
    ("hygiene", "kit", ("Hygiene kit", "Disinfectant", "Soap", "Sanitary pads"), 1_500),
    ("water", "piece", ("Water filter", "Jerrycan", "Purification tablets"), 3_000),
)
MAX_OPEN_NEEDS = 2_000
GIFT_AMOUNTS = (1_000, 5_000, 10_000, 20_000, 50_000, 100_000, 500_000, 2_000_000)
PUBLIC_NAMES = ("张伟", "王芳", "Li Na", "Acme Foundation", "陈静", "Anonymous friend")


def hex_id(*parts: object) -> str:
    """A bytes32 id as 0x-hex, random-looking and fixed for its parts."""
    text = "\x1f".join(str(p) for p in parts).encode()
    return "0x" + hashlib.blake2b(text, digest_size=32).hexdigest()


def label(text: str) -> str:
    """The contracts' bytes32 label of a text (`ledger.chain.ids.label`), as 0x-hex."""
    return "0x" + ids.label(text).hex()


def address(name: str) -> str:
    """A checksummed address named after `name`."""
    return checksum_address(hashlib.blake2b(name.encode(), digest_size=20).digest())


def region_earmark(region: str) -> str:
    """bytes32(bytes8 region) as 0x-hex (`ledger.chain.ids.region_earmark`)."""
    return "0x" + ids.region_earmark(region).hex()


def pool_id(currency: str, kind: EarmarkKind, earmark: str) -> str:
    """keccak256(abi.encode(bytes3 currency, uint8 kind, bytes32 earmark)), as FundLedger."""
    words = currency.encode().ljust(32, b"\x00") + int(kind).to_bytes(32, "big")
    return "0x" + keccak256(words + bytes.fromhex(earmark[2:])).hex()


def receipt_lot_id(shipment_id: str, index: int) -> str:
    """SupplyLedger.receiptLotId (`ledger.demo.rounds.receipt_lot`), as 0x-hex."""
    return "0x" + receipt_lot(bytes.fromhex(shipment_id[2:]), index).hex()


@dataclass(frozen=True)
class PoolKey:
    """A currency pool: currency and earmark, with its share of gifts."""

    currency: str
    kind: EarmarkKind
    earmark: str
    weight: float
    region: str = ""  # the region of a region earmark

    @property
    def pool_id(self) -> str:
        """The pool's id."""
        return pool_id(self.currency, self.kind, self.earmark)


POOLS = (
    PoolKey("CNY", EarmarkKind.NONE, ZERO, 0.50),
    PoolKey("USD", EarmarkKind.NONE, ZERO, 0.08),
    PoolKey("EUR", EarmarkKind.NONE, ZERO, 0.04),
    PoolKey("HKD", EarmarkKind.NONE, ZERO, 0.05),
    PoolKey("CNY", EarmarkKind.CATEGORY, label("ppe"), 0.10),
    PoolKey("CNY", EarmarkKind.CATEGORY, label("food"), 0.05),
    PoolKey("CNY", EarmarkKind.REGION, region_earmark("CN-HB"), 0.10, "CN-HB"),
    PoolKey("USD", EarmarkKind.REGION, region_earmark("CN-SC"), 0.03, "CN-SC"),
    PoolKey("CNY", EarmarkKind.PURPOSE, label("field hospitals"), 0.05),
)


@dataclass(frozen=True)
class SiteInfo:
    """A registered site."""

    site_id: str
    kind: SiteKind
    region: str
    operator: str


@dataclass(frozen=True)
class ItemInfo:
    """A registered item."""

    item_id: str
    category: str  # the bytes32 label of the category, e.g. label("ppe")
    price: int


@dataclass(eq=False)
class Lot:
    """A lot with units on hand."""

    lot_id: str
    item: ItemInfo
    site: SiteInfo
    on_hand: int
    batch: str
    expiry: int


@dataclass(eq=False)
class Need:
    """A need of a recipient site, open until met or closed."""

    need_id: str
    site: SiteInfo
    item: ItemInfo
    quantity: int
    remaining: int  # still to be sent
    fulfilled: int = 0  # handed over
    open: bool = True


@dataclass(eq=False)
class Allocation:
    """Money taken from a pool and not yet spent or released."""

    allocation_id: str
    pool: PoolKey
    remaining: int
    need: Need | None


@dataclass(eq=False)
class Shipment:
    """Dispatched, waiting for its receipt in round `due`."""

    shipment_id: str
    to_site: SiteInfo
    lines: list[tuple[Lot, int]]
    need: Need | None
    due: int


@dataclass(eq=False)
class Pledge:
    """A CNY pledge and what is still to be paid."""

    pledge_id: str
    remaining: int


@dataclass
class Counts:
    """Events dealt out so far."""

    events: int = 0
    gifts: int = 0
    by_name: dict[str, int] = field(default_factory=dict)


def registry(
    orgs: dict[str, str], admin: str, intake: str, coordinator: str
) -> tuple[list[Tx], list[SiteInfo], list[ItemInfo]]:
    """The registry's first blocks: ledgers bound, roles, organisations, every region's
    warehouse and recipient sites, the catalogue; with the sites and items registered."""
    fund, supply = address("fund-ledger"), address("supply-ledger")
    bound = {"fundLedger": fund, "supplyLedger": supply, "actor": admin}
    txs: list[Tx] = [[("AidRegistry", "LedgersBound", bound)]]
    for role, account in (
        ("AIDLEDGER_INTAKE", intake),
        ("AIDLEDGER_COORDINATOR", coordinator),
        ("AIDLEDGER_AUDITOR", address("auditor")),
    ):
        args = {"role": label(role), "account": account, "granted": True, "actor": admin}
        txs.append([("AidRegistry", "RoleChanged", args)])
    for key, kind, name in ORGS:
        args = {"orgId": orgs[key], "kind": int(kind), "name": name, "actor": admin}
        txs.append([("AidRegistry", "OrganisationRegistered", args)])
    sites: list[SiteInfo] = []

    def site(name: str, kind: SiteKind, region: str, org: str) -> Tx:
        info = SiteInfo(hex_id("site", name), kind, region, address(f"operator {name}"))
        sites.append(info)
        args = {
            "siteId": info.site_id,
            "orgId": orgs[org],
            "kind": int(kind),
            "region": region,
            "name": name,
            "actor": admin,
        }
        return [("AidRegistry", "SiteRegistered", args)]

    for region in REGIONS:
        txs.append(site(f"Warehouse {region}", SiteKind.WAREHOUSE, region, "relief"))
        for kind_name, org in RECIPIENTS:
            txs.append(site(f"{kind_name} {region}", SiteKind.RECIPIENT, region, org))
    items: list[ItemInfo] = []
    for category, unit, names, price in CATALOGUE:
        for name in names:
            item = ItemInfo(hex_id("item", name), label(category), price)
            items.append(item)
            args = {
                "itemId": item.item_id,
                "category": label(category),
                "unit": unit,
                "name": name,
                "actor": admin,
            }
            txs.append([("AidRegistry", "ItemRegistered", args)])
    return txs, sites, items
