"""The demo scenario as pure data: a city-wide epidemic response over ten weeks, early 2020.

`build(seed, size)` returns the same `Scenario` for the same arguments, on any machine: who
exists (organisations, 4 warehouses and 20 recipient sites in four districts of the fictional
city of Lianjiang, about 30 items, the staff), and what happens week by week (money gifts in
CNY, USD, EUR and HKD, with and without earmarks, some through a bank statement; pledges, some
paid only in part; in-kind gifts with batches and expiries; purchases from suppliers; needs
posted by recipients in matching rounds). `size` scales the counts (1.0: 5,000 money gifts,
300 in-kind gifts, about 880 needs); the places and the catalogue stay whole at any size.

What the chain decides (which stock the matching planner ships, which allocations it makes) is
not in here: `ledger.demo.seed` runs the real planner over the mirror between rounds. Times are
days from the scenario's start, which the seed fixes when it first runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ledger.chain.types import EarmarkKind, OrgKind, SiteKind

WEEKS = 10
ROUNDS_PER_WEEK = 3  # matching rounds: Monday, Wednesday, Friday
ROUND_DAYS = (0, 2, 4)
GIFTS = 5_000
IN_KIND = 300
NEEDS_PER_ROUND = 30
STATEMENT_SHARE = 0.3  # of the CNY gifts without earmark: arrive by bank transfer
DISCREPANCY_RATE = 0.03  # shipments arriving short, damaged or partly lost


@dataclass(frozen=True)
class Org:
    """An organisation; `key` is the scenario's name for it (also its source record)."""

    key: str
    kind: OrgKind
    name: str


@dataclass(frozen=True)
class SitePlan:
    """A warehouse or a recipient site in a district (`region`, at most 8 ASCII characters)."""

    key: str
    org: str
    kind: SiteKind
    region: str
    name: str


@dataclass(frozen=True)
class ItemPlan:
    """A catalogue item; `price` is what one unit costs in fen (CNY minor units)."""

    key: str
    name: str
    unit: str
    category: str
    shelf_days: int  # 0: does not expire
    price: int
    typical: int  # a typical need, in units


@dataclass(frozen=True)
class StaffPlan:
    """A staff member: global role (sites empty) or operator of `sites` (the first enrols)."""

    name: str
    role: str
    sites: tuple[str, ...] = ()


@dataclass(frozen=True)
class GiftPlan:
    """A money gift; `earmark` is a region code, a category or a purpose name by kind."""

    ref: str
    week: int
    currency: str
    amount: int
    earmark_kind: EarmarkKind = EarmarkKind.NONE
    earmark: str = ""
    pledge: str = ""
    public_name: str = ""
    payer: str = ""
    via_statement: bool = False


@dataclass(frozen=True)
class PledgePlan:
    """A promise of money, recorded in `week`, due in `due_week`; gifts naming it pay it."""

    ref: str
    week: int
    currency: str
    amount: int
    due_week: int
    earmark_kind: EarmarkKind = EarmarkKind.NONE
    earmark: str = ""


@dataclass(frozen=True)
class InKindPlan:
    """Goods given into a warehouse; `expiry_day` 0 for none."""

    ref: str
    week: int
    item: str
    site: str
    quantity: int
    batch: str
    expiry_day: int
    public_name: str = ""


@dataclass(frozen=True)
class PurchasePlan:
    """A purchase decided by the coordinator outside matching, paid from a Purpose pool."""

    ref: str
    week: int
    currency: str
    purpose: str
    supplier: str
    item: str
    site: str
    quantity: int
    unit_price: int
    batch: str
    expiry_day: int


@dataclass(frozen=True)
class NeedPlan:
    """A need posted by a recipient site in matching round `round` (0-based, 3 a week)."""

    ref: str
    round: int
    site: str
    item: str
    quantity: int
    priority: int
    deadline_days: int  # from the round's day; 0: no deadline


@dataclass(frozen=True)
class Scenario:
    """Everything the demo writes that does not depend on what the chain decides."""

    seed: int
    size: float
    orgs: tuple[Org, ...]
    sites: tuple[SitePlan, ...]
    items: tuple[ItemPlan, ...]
    staff: tuple[StaffPlan, ...]
    pledges: tuple[PledgePlan, ...]
    gifts: tuple[GiftPlan, ...]
    in_kind: tuple[InKindPlan, ...]
    purchases: tuple[PurchasePlan, ...]
    needs: tuple[NeedPlan, ...]

    @property
    def rounds(self) -> int:
        """Matching rounds in all."""
        return WEEKS * ROUNDS_PER_WEEK

    def site(self, key: str) -> SitePlan:
        """The site called `key`."""
        return next(s for s in self.sites if s.key == key)

    def item(self, key: str) -> ItemPlan:
        """The item called `key`."""
        return next(i for i in self.items if i.key == key)

    def warehouse_of(self, region: str) -> SitePlan:
        """The district's warehouse."""
        return next(s for s in self.sites if s.kind is SiteKind.WAREHOUSE and s.region == region)

    def officer_of(self, site: str) -> StaffPlan:
        """The staff member operating `site`."""
        return next(m for m in self.staff if site in m.sites)


# ---------------------------------------------------------------- the city

DISTRICTS = (
    ("LJ-RVS", "Riverside"),
    ("LJ-OLD", "Old Town"),
    ("LJ-HBR", "Harbour"),
    ("LJ-HIL", "Hillside"),
)
RECIPIENTS_PER_DISTRICT = (
    ("hospital", "General Hospital", OrgKind.HOSPITAL),
    ("fever", "Fever Clinic", OrgKind.HOSPITAL),
    ("maternity", "Women and Children's Hospital", OrgKind.HOSPITAL),
    ("centre", "Community Centre", OrgKind.COMMUNITY),
    ("elders", "Elder Care Home", OrgKind.COMMUNITY),
)
SUPPLIERS = (
    ("sup-medtex", "Medtex Protective Supplies Ltd."),
    ("sup-clearair", "Clearair Respiratory Co."),
    ("sup-harvest", "Harvest Table Foods"),
)
# key, name, unit, category, shelf days (0 none), price in fen, typical need
ITEMS: tuple[ItemPlan, ...] = tuple(
    ItemPlan(*row)
    for row in (
        ("n95", "N95 respirator", "piece", "ppe", 1095, 850, 2000),
        ("kn95", "KN95 mask", "piece", "ppe", 1095, 450, 3000),
        ("surgical", "Surgical mask", "piece", "ppe", 730, 90, 10000),
        ("gown", "Isolation gown", "piece", "ppe", 1825, 2800, 600),
        ("coverall", "Protective coverall", "piece", "ppe", 1825, 9500, 400),
        ("goggles", "Safety goggles", "piece", "ppe", 0, 1500, 300),
        ("faceshield", "Face shield", "piece", "ppe", 0, 800, 400),
        ("gloves", "Nitrile gloves", "box of 100", "ppe", 1095, 4500, 200),
        ("shoecover", "Shoe covers", "pair", "ppe", 0, 60, 2000),
        ("cap", "Surgical cap", "piece", "ppe", 0, 40, 2000),
        ("thermo", "Infrared thermometer", "piece", "testing", 0, 18000, 40),
        ("testkit", "Nucleic acid test kit", "kit of 48", "testing", 120, 96000, 20),
        ("swab", "Sampling swab", "piece", "testing", 365, 150, 3000),
        ("vtm", "Virus transport medium", "tube", "testing", 180, 350, 2000),
        ("alcohol", "Medical alcohol 75%", "500 ml bottle", "disinfection", 540, 1200, 500),
        ("chlorine", "Chlorine tablets", "bottle of 100", "disinfection", 730, 1800, 200),
        ("sanitiser", "Hand sanitiser", "500 ml bottle", "disinfection", 365, 2200, 400),
        ("sprayer", "Disinfection sprayer", "piece", "disinfection", 0, 26000, 10),
        ("o2conc", "Oxygen concentrator", "piece", "respiratory", 0, 650000, 4),
        ("ventilator", "Ventilator", "piece", "respiratory", 0, 12000000, 1),
        ("o2cyl", "Oxygen cylinder 40 L", "cylinder", "respiratory", 0, 90000, 20),
        ("oximeter", "Pulse oximeter", "piece", "respiratory", 0, 9000, 40),
        ("cannula", "Nasal cannula", "piece", "respiratory", 0, 300, 300),
        ("monitor", "Patient monitor", "piece", "respiratory", 0, 1800000, 2),
        ("foodbox", "Food box (family, 7 days)", "box", "food", 120, 25000, 150),
        ("rice", "Rice 10 kg", "bag", "food", 365, 6500, 200),
        ("oil", "Cooking oil 5 L", "bottle", "food", 540, 7500, 150),
        ("milk", "UHT milk 24 x 250 ml", "carton", "food", 150, 7200, 150),
        ("noodles", "Instant noodles 24 pack", "case", "food", 240, 4800, 200),
        ("vegbox", "Vegetable box", "box", "food", 10, 5000, 150),
    )
)
NEEDED_BY = {  # which recipients ask for which categories
    "hospital": ("ppe", "testing", "disinfection", "respiratory"),
    "fever": ("ppe", "testing", "disinfection", "respiratory"),
    "maternity": ("ppe", "disinfection", "respiratory"),
    "centre": ("ppe", "disinfection", "food"),
    "elders": ("ppe", "disinfection", "food", "respiratory"),
}
NAMED_DONORS = (
    "Lianjiang Chamber of Commerce",
    "Harbour Shipping Group",
    "Old Town Residents' Association",
    "Bright Star Foundation",
    "Ms. Zhou Min",
    "Riverside Alumni Club",
    "Hillside Tea Growers",
    "Mr. Alan Brooks",
)
PAYERS = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun")
GIVEN = ("Wei", "Fang", "Na", "Min", "Jing", "Lei", "Jun", "Yan", "Tao", "Hui", "Qiang", "Li")
PURPOSES = ("transport", "cold-chain")
CURRENCIES = (("CNY", 0.88), ("USD", 0.05), ("HKD", 0.04), ("EUR", 0.03))


def orgs() -> tuple[Org, ...]:
    """The relief agency, the hospitals and communities, the suppliers."""
    found = [Org("agency", OrgKind.RELIEF_AGENCY, "Lianjiang Emergency Relief Centre")]
    for _code, district in DISTRICTS:
        for key, name, kind in RECIPIENTS_PER_DISTRICT:
            found.append(Org(f"{district}-{key}", kind, f"{district} {name}"))
    found.extend(Org(key, OrgKind.SUPPLIER, name) for key, name in SUPPLIERS)
    return tuple(found)


def sites() -> tuple[SitePlan, ...]:
    """One warehouse per district (the agency's), then the district's five recipient sites."""
    found = []
    for code, district in DISTRICTS:
        found.append(
            SitePlan(f"wh-{code}", "agency", SiteKind.WAREHOUSE, code, f"{district} Warehouse")
        )
        for key, name, _kind in RECIPIENTS_PER_DISTRICT:
            org = f"{district}-{key}"
            found.append(SitePlan(org, org, SiteKind.RECIPIENT, code, f"{district} {name}"))
    return tuple(found)


def staff() -> tuple[StaffPlan, ...]:
    """Few keys: two intake clerks, a coordinator, an auditor, an operator per warehouse and
    a recipient officer per district, who operates all of its recipient sites."""
    found = [
        StaffPlan("Li Na", "intake"),
        StaffPlan("Zhang Wei", "intake"),
        StaffPlan("Chen Jing", "coordinator"),
        StaffPlan("Wang Fang", "auditor"),
    ]
    keepers = ("Liu Yang", "Huang Lei", "Zhao Min", "Wu Tao")
    officers = ("Sun Hui", "Zhou Jun", "Xu Yan", "He Qiang")
    for (code, _district), keeper in zip(DISTRICTS, keepers, strict=True):
        found.append(StaffPlan(keeper, "operator", (f"wh-{code}",)))
    for (_code, district), officer in zip(DISTRICTS, officers, strict=True):
        keys = tuple(f"{district}-{key}" for key, _name, _kind in RECIPIENTS_PER_DISTRICT)
        found.append(StaffPlan(officer, "recipient", keys))
    return tuple(found)


# ---------------------------------------------------------------- what happens


def scaled(count: int, size: float, least: int = 1) -> int:
    """`count` at `size`, at least `least`."""
    return max(least, round(count * size))


def _currency(rng: random.Random) -> str:
    return rng.choices([c for c, _ in CURRENCIES], [w for _, w in CURRENCIES])[0]


def _amount(rng: random.Random, currency: str) -> int:
    """A gift's size in minor units: mostly small, a long tail of large ones."""
    base = rng.lognormvariate(5.3, 1.3)  # median ~200
    if currency != "CNY":
        base /= 7  # about the same value
    whole = round(base) if base < 100 else round(base / 10) * 10
    return max(1, whole) * 100


def _earmark(rng: random.Random) -> tuple[EarmarkKind, str]:
    roll = rng.random()
    if roll < 0.70:
        return EarmarkKind.NONE, ""
    if roll < 0.85:
        return EarmarkKind.REGION, rng.choice(DISTRICTS)[0]
    if roll < 0.97:
        return EarmarkKind.CATEGORY, rng.choice(("ppe", "testing", "respiratory", "food"))
    return EarmarkKind.PURPOSE, rng.choice(PURPOSES)


def _week(rng: random.Random) -> int:
    """Gifts come early: most in the first four weeks, as they did."""
    return min(WEEKS - 1, int(rng.expovariate(1 / 2.2)))


def pledges(rng: random.Random, size: float) -> tuple[PledgePlan, ...]:
    """Pledges from companies and foundations in the first weeks."""
    found = []
    for n in range(scaled(40, size, 2)):
        currency = "CNY" if n % 5 else rng.choice(("USD", "HKD", "EUR"))
        amount = rng.choice((50_000, 100_000, 200_000, 500_000)) * 100
        if currency != "CNY":
            amount //= 7
        kind, earmark = _earmark(rng) if n % 3 == 0 else (EarmarkKind.NONE, "")
        week = rng.randrange(0, 3)
        found.append(PledgePlan(f"pledge-{n:04d}", week, currency, amount, week + 3, kind, earmark))
    return tuple(found)


def _payments(rng: random.Random, plan: tuple[PledgePlan, ...]) -> list[GiftPlan]:
    """Instalments paying pledges: a third paid in full, a third in part, a third not yet."""
    found = []
    for n, pledge in enumerate(plan):
        share = (1.0, 0.5, 0.0)[n % 3]
        parts = 2 if share else 0
        for part in range(parts):
            amount = int(pledge.amount * share) // parts
            week = min(WEEKS - 1, pledge.week + 1 + part * 2)
            found.append(
                GiftPlan(
                    f"{pledge.ref}-pay-{part}",
                    week,
                    pledge.currency,
                    amount,
                    pledge.earmark_kind,
                    pledge.earmark,
                    pledge=pledge.ref,
                )
            )
    return found


def gifts(rng: random.Random, size: float, plan: tuple[PledgePlan, ...]) -> tuple[GiftPlan, ...]:
    """Money gifts, pledge instalments among them, ordered by week."""
    found = _payments(rng, plan)
    for n in range(scaled(GIFTS, size, 10) - len(found)):
        currency = _currency(rng)
        kind, earmark = _earmark(rng)
        named = rng.random() < 0.01
        bank = currency == "CNY" and kind is EarmarkKind.NONE and rng.random() < STATEMENT_SHARE
        payer = f"{rng.choice(PAYERS)} {rng.choice(GIVEN)}" if bank else ""
        found.append(
            GiftPlan(
                f"gift-{n:05d}",
                _week(rng),
                currency,
                _amount(rng, currency) * (20 if named else 1),
                kind,
                earmark,
                public_name=rng.choice(NAMED_DONORS) if named and not bank else "",
                payer=payer,
                via_statement=bank,
            )
        )
    return tuple(sorted(found, key=lambda g: (g.week, g.ref)))


def in_kind(rng: random.Random, size: float) -> tuple[InKindPlan, ...]:
    """Goods given into the warehouses; a fifth of what expires arrives short-dated."""
    warehouses = [s.key for s in sites() if s.kind is SiteKind.WAREHOUSE]
    found = []
    for n in range(scaled(IN_KIND, size, 6)):
        item = rng.choice(ITEMS)
        week = min(WEEKS - 2, int(rng.expovariate(1 / 2.5)))
        expiry = 0
        if item.shelf_days:
            short = rng.random() < 0.2
            expiry = week * 7 + (rng.randrange(10, 35) if short else item.shelf_days)
        found.append(
            InKindPlan(
                f"inkind-{n:04d}",
                week,
                item.key,
                rng.choice(warehouses),
                max(1, round(item.typical * rng.uniform(1.0, 6.0))),
                f"DON-{week + 1:02d}{n:04d}",
                expiry,
                rng.choice(NAMED_DONORS) if rng.random() < 0.1 else "",
            )
        )
    return tuple(sorted(found, key=lambda g: (g.week, g.ref)))


def purchases(rng: random.Random, size: float) -> tuple[PurchasePlan, ...]:
    """Transport and cold-chain equipment bought from the Purpose pools, a few a week."""
    found = []
    choices = (("transport", "sup-medtex", "coverall"), ("cold-chain", "sup-clearair", "o2conc"))
    for n in range(scaled(10, size, 1)):
        purpose, supplier, key = choices[n % 2]
        item = next(i for i in ITEMS if i.key == key)
        week = 3 + n % (WEEKS - 3)
        found.append(
            PurchasePlan(
                f"purchase-{n:03d}",
                week,
                "CNY",
                purpose,
                supplier,
                item.key,
                rng.choice([s.key for s in sites() if s.kind is SiteKind.WAREHOUSE]),
                max(1, item.typical // 4),
                item.price,
                f"INV-{week + 1:02d}{n:03d}",
                0,
            )
        )
    return tuple(found)


def needs(rng: random.Random, size: float) -> tuple[NeedPlan, ...]:
    """Needs posted in each matching round; the peak is in weeks 2 to 5."""
    recipients = [s for s in sites() if s.kind is SiteKind.RECIPIENT]
    found = []
    per_round = scaled(NEEDS_PER_ROUND, size, 2)
    for rnd in range(WEEKS * ROUNDS_PER_WEEK):
        week = rnd // ROUNDS_PER_WEEK
        peak = 1.4 if 2 <= week <= 5 else 0.7
        for n in range(max(1, round(per_round * peak))):
            site = rng.choice(recipients)
            kind = site.key.rsplit("-", 1)[1]
            category = rng.choice(NEEDED_BY[kind])
            item = rng.choice([i for i in ITEMS if i.category == category])
            quantity = max(1, round(item.typical * rng.uniform(0.3, 1.5)))
            priority = rng.choices((1, 2, 3), (5, 3, 2))[0]
            deadline = rng.choice((0, 3, 5, 7, 14))
            found.append(
                NeedPlan(
                    f"need-{rnd:02d}-{n:03d}", rnd, site.key, item.key, quantity, priority, deadline
                )
            )
    return tuple(found)


def build(seed: int = 2020, size: float = 1.0) -> Scenario:
    """The whole scenario for `seed` at `size` (1.0 is the full demo)."""
    if not 0 < size <= 4:
        raise ValueError(f"size {size} must be above 0 and at most 4")
    rng = random.Random(seed)
    promised = pledges(rng, size)
    return Scenario(
        seed=seed,
        size=size,
        orgs=orgs(),
        sites=sites(),
        items=ITEMS,
        staff=staff(),
        pledges=promised,
        gifts=gifts(rng, size, promised),
        in_kind=in_kind(rng, size),
        purchases=purchases(rng, size),
        needs=needs(rng, size),
    )
