"""Needs matching: from open needs, warehouse stock and fund pools to a plan of writes.

A pure function of what it is given (no mirror, no chain, no clock): `plan` turns the read
layer's rows into proposed `DispatchShipment` and `AllocateFunds` commands, each with the reason
for it. The rule, with a worked example, is docs/matching.md; in short: needs in order (priority,
deadline, seq), what is already on its way counted first, then stock (first expiry first out,
nearest warehouse by region), then money for what stock cannot cover (most restricted pool
first, never past an earmark), sized by a unit price the coordinator gives.

The inputs are described by protocols, so the read layer's dataclasses (`ledger.queries.needs`,
`.stock`, `.funds`) fit without this module importing the read layer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from ledger.chain.ids import ZERO32, currency_code
from ledger.chain.types import DispatchLine, EarmarkKind
from ledger.write.commands import AllocateFunds, DispatchShipment
from ledger.write.money import format_amount

# ---------------------------------------------------------------- inputs


class NeedLike(Protocol):
    """An open need (`ledger.queries.needs.OpenNeed`)."""

    @property
    def need_id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def site_id(self) -> str: ...
    @property
    def site(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def item_id(self) -> str: ...
    @property
    def item(self) -> str: ...
    @property
    def category(self) -> str | None: ...
    @property
    def priority(self) -> int: ...
    @property
    def deadline(self) -> int: ...
    @property
    def outstanding(self) -> int: ...
    @property
    def unspent(self) -> tuple[tuple[str, int], ...]: ...


class LotLike(Protocol):
    """A lot on hand at a warehouse (`ledger.queries.stock.StockLot`)."""

    @property
    def lot_id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def item_id(self) -> str: ...
    @property
    def site_id(self) -> str: ...
    @property
    def site(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def on_hand(self) -> int: ...
    @property
    def expiry(self) -> int: ...


class EnRouteLike(Protocol):
    """Units already bound for a site (`ledger.queries.stock.EnRoute`)."""

    @property
    def site_id(self) -> str: ...
    @property
    def item_id(self) -> str: ...
    @property
    def quantity(self) -> int: ...


class PoolLike(Protocol):
    """A fund pool (`ledger.queries.funds.FundPool`)."""

    @property
    def pool_id(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def earmark_kind(self) -> int: ...
    @property
    def earmark(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def available(self) -> int: ...


@dataclass(frozen=True)
class Pricing:
    """What one unit of an item costs, in minor units of `currency`, by item id (0x hex)."""

    currency: str
    per_item: Mapping[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------- outputs


@dataclass(frozen=True)
class PlanLine:
    """One proposed write; `signer_site` is the warehouse whose operator signs a dispatch
    (None: a coordinator signs an allocation)."""

    command: DispatchShipment | AllocateFunds
    signer_site: str | None
    summary: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Coverage:
    """How a need is met: already covered (en route, funded), then by this plan, then short."""

    need_id: str
    label: str
    site: str
    item: str
    outstanding: int
    en_route: int
    funded: int
    from_stock: int
    from_funds: int
    short: int
    priced: bool

    @property
    def open(self) -> int:
        """Units neither handed over nor on their way nor paid for, before this plan."""
        return self.outstanding - self.en_route - self.funded


@dataclass(frozen=True)
class Plan:
    """The proposed writes, in the order to apply them, and each need's coverage."""

    lines: tuple[PlanLine, ...]
    needs: tuple[Coverage, ...]


# ---------------------------------------------------------------- the rule


def need_order(need: NeedLike) -> tuple[int, int, int]:
    """Priority high first, then the earliest deadline (none last), then the need's seq."""
    return (-need.priority, need.deadline or 2**64, need.seq)


def nearness(lot_region: str, need_region: str) -> int:
    """0 same region code, 1 same country prefix ('CN' of CN-HB, CN-GD), 2 anything else."""
    if lot_region and lot_region == need_region:
        return 0
    prefix = lot_region.split("-", maxsplit=1)[0]
    return 1 if prefix and prefix == need_region.split("-", maxsplit=1)[0] else 2


def lot_order(lot: LotLike, need: NeedLike) -> tuple[int, int, int, int]:
    """First expiry first (no expiry last), then the nearest warehouse, then the lot's seq."""
    return (lot.expiry == 0, lot.expiry, nearness(lot.region, need.region), lot.seq)


def serves(pool: PoolLike, need: NeedLike) -> bool:
    """Whether the pool's earmark lets it fund the need (Purpose pools are never matched)."""
    kind = EarmarkKind(pool.earmark_kind)
    if kind is EarmarkKind.NONE:
        return True
    if kind is EarmarkKind.REGION:
        return bool(need.region) and pool.region == need.region
    if kind is EarmarkKind.CATEGORY:
        return need.category is not None and pool.earmark == need.category
    return False


_POOL_RANK = {EarmarkKind.REGION: 0, EarmarkKind.CATEGORY: 1, EarmarkKind.NONE: 2}


def pool_order(pool: PoolLike) -> tuple[int, str]:
    """The most restricted money first: Region, then Category, then unearmarked."""
    return (_POOL_RANK.get(EarmarkKind(pool.earmark_kind), 3), pool.pool_id)


@dataclass(frozen=True)
class _Take:
    need: NeedLike
    lot: LotLike
    quantity: int
    state: str  # the need's state as planned from, part of the command's source


def plan(
    needs: Sequence[NeedLike],
    lots: Sequence[LotLike],
    en_route: Sequence[EnRouteLike],
    pools: Sequence[PoolLike],
    *,
    now: int,
    pricing: Pricing | None = None,
) -> Plan:
    """The plan for these needs, stock and money at time `now` (unix seconds)."""
    pipeline: dict[tuple[str, str], int] = defaultdict(int)
    for bound in en_route:
        pipeline[(bound.site_id, bound.item_id)] += bound.quantity
    shelves = _Shelves(lots, now)
    drawn: dict[str, int] = defaultdict(int)  # pool id -> money this plan allocates
    takes: list[_Take] = []
    allocations: list[PlanLine] = []
    coverage: list[Coverage] = []
    for need in sorted(needs, key=need_order):
        if need.outstanding <= 0:
            continue
        key = (need.site_id, need.item_id)
        on_way = min(need.outstanding, pipeline[key])
        pipeline[key] -= on_way
        price = _price(pricing, need)
        funded = 0
        if price:
            assert pricing is not None
            money = sum(a for c, a in need.unspent if c == pricing.currency)
            funded = min(need.outstanding - on_way, money // price)
        wanted = need.outstanding - on_way - funded
        state = f"{need.need_id}/{need.outstanding}/{on_way}/{funded}"
        mine = shelves.take(need, wanted, state)
        takes.extend(mine)
        left = wanted - sum(t.quantity for t in mine)
        money_lines, bought = _funds_for(need, left, price, pricing, pools, drawn, state)
        allocations.extend(money_lines)
        coverage.append(
            Coverage(
                need.need_id,
                need.label,
                need.site,
                need.item,
                need.outstanding,
                on_way,
                funded,
                wanted - left,
                bought,
                left - bought,
                bool(price),
            )
        )
    return Plan((*_dispatches(takes), *allocations), tuple(coverage))


def _price(pricing: Pricing | None, need: NeedLike) -> int:
    return 0 if pricing is None else max(0, pricing.per_item.get(need.item_id, 0))


class _Shelves:
    """Unexpired warehouse lots by item, and what the plan has taken from each."""

    def __init__(self, lots: Sequence[LotLike], now: int) -> None:
        self.by_item: dict[str, list[LotLike]] = defaultdict(list)
        for lot in lots:
            if not (lot.expiry != 0 and lot.expiry <= now):  # expired stock is never proposed
                self.by_item[lot.item_id].append(lot)
        self.ordered: dict[tuple[str, str], list[LotLike]] = {}  # (item, need region) -> lots
        self.taken: dict[str, int] = defaultdict(int)

    def take(self, need: NeedLike, wanted: int, state: str) -> list[_Take]:
        """Units for `need` from lots of its item, in lot order, within what is left."""
        key = (need.item_id, need.region)
        if key not in self.ordered:  # the order depends on the need only through its region
            lots = self.by_item[need.item_id]
            self.ordered[key] = sorted(lots, key=lambda lot: lot_order(lot, need))
        found: list[_Take] = []
        for lot in self.ordered[key]:
            if wanted <= 0:
                break
            quantity = min(wanted, lot.on_hand - self.taken[lot.lot_id])
            if quantity > 0 and lot.site_id != need.site_id:
                self.taken[lot.lot_id] += quantity
                wanted -= quantity
                found.append(_Take(need, lot, quantity, state))
        return found


def _funds_for(
    need: NeedLike,
    units: int,
    price: int,
    pricing: Pricing | None,
    pools: Sequence[PoolLike],
    drawn: dict[str, int],
    state: str,
) -> tuple[list[PlanLine], int]:
    """Allocations buying up to `units` whole units for `need`, most restricted pool first;
    and how many units they buy."""
    lines: list[PlanLine] = []
    if units <= 0 or not price or pricing is None:
        return lines, 0
    bought = 0
    fitting = [p for p in pools if p.currency == pricing.currency and serves(p, need)]
    for pool in sorted(fitting, key=pool_order):
        count = min(units, (pool.available - drawn[pool.pool_id]) // price)
        if count <= 0:
            continue
        drawn[pool.pool_id] += count * price
        units -= count
        bought += count
        lines.append(_allocation(need, pool, count, price, state))
        if units == 0:
            break
    return lines, bought


def _allocation(need: NeedLike, pool: PoolLike, count: int, price: int, state: str) -> PlanLine:
    amount = count * price
    command = AllocateFunds(
        source=f"match:allocate:{state}:{pool.pool_id}/{pool.available}:{amount}",
        currency=currency_code(pool.currency),
        amount=amount,
        earmark_kind=EarmarkKind(pool.earmark_kind),
        earmark=_bytes(pool.earmark) if pool.earmark else ZERO32,
        need_id=_bytes(need.need_id),
    )
    money = format_amount(amount, pool.currency)
    reason = (
        f"{_need_text(need)}: {count} {need.item} not covered by stock, "
        f"at {format_amount(price, pool.currency)} each, "
        f"from the {_earmark_text(pool)} pool"
    )
    return PlanLine(command, None, f"allocate {money} to {need.label}", (reason,))


def _dispatches(takes: list[_Take]) -> list[PlanLine]:
    """One shipment per (warehouse, recipient site), lines per lot, in the order first taken."""
    groups: dict[tuple[str, str], list[_Take]] = {}
    for take in takes:
        groups.setdefault((take.lot.site_id, take.need.site_id), []).append(take)
    lines = []
    for (origin, target), group in groups.items():
        per_lot: dict[str, int] = {}
        for take in group:
            per_lot[take.lot.lot_id] = per_lot.get(take.lot.lot_id, 0) + take.quantity
        parts = ";".join(f"{t.state}:{t.lot.lot_id}/{t.lot.on_hand}:{t.quantity}" for t in group)
        command = DispatchShipment(
            source=f"match:dispatch:{origin}:{target}:{parts}",
            from_site=_bytes(origin),
            to_site=_bytes(target),
            lines=tuple(DispatchLine(_bytes(lot), qty) for lot, qty in per_lot.items()),
        )
        labels = {t.lot.lot_id: t.lot.label for t in group}
        shipped = ", ".join(f"{labels[lot]}: {qty}" for lot, qty in per_lot.items())
        first = group[0]
        summary = f"ship {first.lot.site} → {first.need.site}: {shipped} ({first.need.item})"
        reasons = tuple(_take_text(t) for t in group)
        lines.append(PlanLine(command, origin, summary, reasons))
    return lines


# ---------------------------------------------------------------- words


def _bytes(hex_id: str) -> bytes:
    return bytes.fromhex(hex_id.removeprefix("0x"))


def _day(timestamp: int) -> str:
    try:
        return datetime.fromtimestamp(timestamp, UTC).date().isoformat()
    except (OverflowError, ValueError, OSError):  # past year 9999: say the number
        return f"@{timestamp}"


def _need_text(need: NeedLike) -> str:
    due = f", due {_day(need.deadline)}" if need.deadline else ""
    return f"{need.label} ({need.site}, {need.item}, priority {need.priority}{due})"


def _take_text(take: _Take) -> str:
    lot, need = take.lot, take.need
    expiry = f"expires {_day(lot.expiry)}" if lot.expiry else "no expiry"
    where = ("same region", "same country", "other region")[nearness(lot.region, need.region)]
    return (
        f"{_need_text(need)}: {take.quantity} of {lot.label} at {lot.site} "
        f"({expiry}; {where} {lot.region or '-'})"
    )


def _earmark_text(pool: PoolLike) -> str:
    kind = EarmarkKind(pool.earmark_kind)
    if kind is EarmarkKind.REGION:
        return f"region {pool.region}"
    if kind is EarmarkKind.CATEGORY:
        return "item-category"
    return "unearmarked"
