"""The period's money flows, as the IATI and FTS exports both report them (docs/reports.md,
"IATI 2.03 and FTS"): a money gift, a pledge, an allocation, its release and a purchase's
spending each become one flow, read from the journal as it streams.

A purchase is two events of one transaction: FundLedger's AllocationSpent (the money) and, right
after it, SupplyLedger's PurchaseRecorded (naming the supplier). They make one flow, the
AllocationSpent's, with the supplier of the PurchaseRecorded that follows it.

Names (sites, organisations) come from `Books` as the fold reaches each row: the registry refuses
an event naming an organisation or site it does not know, so the name is always folded already.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson

from ledger.chain.currencies import exponent
from ledger.reports.books import Books, ref
from ledger.reports.build import zone
from ledger.reports.journal import Row

GIFT, PLEDGE, ALLOCATION, RELEASE, SPEND = "gift", "pledge", "allocation", "release", "spend"
ANONYMOUS = "Anonymous donor"

# journal columns (ledger.reports.journal.COLUMNS)
_SEQ, _TIME, _TX, _LOG, _EVENT, _CURRENCY, _AMOUNT, _SITE, _ARGS = 0, 2, 3, 4, 6, 9, 10, 13, 15


@dataclass(frozen=True, slots=True)
class Flow:
    """One money flow: what kind, where on chain, when, how much, and the other side."""

    kind: str  # gift | pledge | allocation | release | spend
    seq: int
    tx_hash: str
    log_index: int
    event: str
    day: str  # the block's date in the report's time zone (ISO)
    currency: str
    amount: int  # minor units; a release is negative (it reduces the commitment)
    party: str  # the other side: donor, the need site's organisation, supplier; "" for none
    party_ref: str  # a donor's short id (first 8 hex digits of the commitment), else ""
    site: str  # an allocation's need site (name), else ""
    note: str  # what it is, one line of English

    @property
    def ref(self) -> str:
        """Where it is on chain: transaction hash and log index."""
        return f"{self.tx_hash}:{self.log_index}"

    @property
    def incoming(self) -> bool:
        """Money coming to the publisher (a gift or a pledge) rather than going out."""
        return self.kind in (GIFT, PLEDGE)


def major(minor: int, currency: str) -> str:
    """Minor units as decimal text in major units (ISO 4217 digits), e.g. 150000 CNY -> 1500.00."""
    digits = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, part = divmod(abs(minor), 10**digits)
    return f"{sign}{whole}.{part:0{digits}d}" if digits else f"{sign}{whole}"


@lru_cache(maxsize=8192)
def day_of(iso_time: str, tz: str) -> str:
    """The date (ISO) of a journal time (UTC, ISO 8601) in time zone `tz`."""
    if tz == "UTC":
        return iso_time[:10]
    return datetime.fromisoformat(iso_time).astimezone(zone(tz)).date().isoformat()


def short(value: Any) -> str:
    """An id as descriptions show it: 0x and its first 8 hex digits."""
    return str(value)[:10].lower()


def donor_ref(commitment: Any) -> str:
    """A donor commitment's short id, as receipts and the portal show it (8 hex digits)."""
    return str(commitment)[2:10].lower()


class _Reader:
    """Turns journal rows into flows; `books` must be the fold that yields the rows."""

    def __init__(self, books: Books, tz: str) -> None:
        self.books, self.tz = books, tz

    def flow(self, r: Row, kind: str, amount: int, party: str, note: str, **extra: str) -> Flow:
        return Flow(
            kind,
            r[_SEQ],
            r[_TX],
            r[_LOG],
            r[_EVENT],
            day_of(r[_TIME], self.tz),
            r[_CURRENCY],
            amount,
            party,
            extra.get("party_ref", ""),
            extra.get("site", ""),
            note,
        )

    def gift(self, r: Row, a: dict[str, Any]) -> Flow:
        name = str(a.get("publicName") or "").strip() or ANONYMOUS
        note = f"Money gift {short(a['giftId'])}"
        pledge = ref(a.get("pledgeId"))
        if pledge is not None:
            note += f", paying pledge {short(pledge)}"
        return self.flow(r, GIFT, r[_AMOUNT], name, note, party_ref=donor_ref(a["donorCommitment"]))

    def pledge(self, r: Row, a: dict[str, Any]) -> Flow:
        note = f"Pledge {short(a['pledgeId'])}"
        if a.get("dueDate"):
            due = datetime.fromtimestamp(int(a["dueDate"]), zone(self.tz)).date().isoformat()
            note += f", due {due}"
        donor = donor_ref(a["donorCommitment"])
        return self.flow(r, PLEDGE, r[_AMOUNT], ANONYMOUS, note, party_ref=donor)

    def allocation(self, r: Row, a: dict[str, Any]) -> Flow:
        note = f"Allocation {short(a['allocationId'])}"
        need, purpose = ref(a.get("needId")), ref(a.get("purpose"))
        site = self.books.sites.get(r[_SITE]) if r[_SITE] else None
        party = site_name = ""
        if need is not None:
            note += f" for need {short(need)}"
            if site is not None:
                site_name, party = site[0], self.books.orgs.get(site[3], site[3])
                note += f" at site {site_name}"
        if purpose is not None:
            note += f" for purpose {short(purpose)}"
        if need is None and purpose is None:
            note += ", no need or purpose named"
        return self.flow(r, ALLOCATION, r[_AMOUNT], party, note, site=site_name)

    def release(self, r: Row, a: dict[str, Any]) -> Flow:
        note = f"Allocation {short(a['allocationId'])} released back to its pool"
        return self.flow(r, RELEASE, -r[_AMOUNT], "", note)

    def spend(self, r: Row, a: dict[str, Any], supplier: str | None) -> Flow:
        note = f"Purchase {short(a['purchaseId'])} from allocation {short(a['allocationId'])}"
        party = self.books.orgs.get(supplier, supplier) if supplier else ""
        return self.flow(r, SPEND, r[_AMOUNT], party, note)


def money_flows(rows: Iterable[Row], books: Books, tz: str) -> Iterator[Flow]:
    """The money flows among `rows` (journal rows streamed from the fold `books`), in order."""
    reader = _Reader(books, tz)
    makers = {
        "GiftRecorded": reader.gift,
        "PledgeRecorded": reader.pledge,
        "FundsAllocated": reader.allocation,
        "AllocationReleased": reader.release,
    }
    loads = orjson.loads
    pending: tuple[Row, dict[str, Any]] | None = None
    for r in rows:
        event = r[_EVENT]
        if pending is not None:
            spent, args = pending
            pending = None
            if event == "PurchaseRecorded":
                bought = loads(r[_ARGS])
                if str(bought["purchaseId"]).lower() == str(args["purchaseId"]).lower():
                    yield reader.spend(spent, args, str(bought["supplierId"]).lower())
                    continue
            yield reader.spend(spent, args, None)
        if event == "AllocationSpent":
            pending = (r, loads(r[_ARGS]))
            continue
        make = makers.get(event)
        if make is not None:
            yield make(r, loads(r[_ARGS]))
    if pending is not None:
        yield reader.spend(*pending, None)
