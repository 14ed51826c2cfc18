"""Sentences as data: what the read layer says about an event or a step, without the words.

A `Sentence` is a stable `kind` (one sentence template per kind) and typed `values`: money as
`Money` (integer minor units and currency), quantities and numbers as ints, names and labels as
strings (names come from the chain: untrusted text), enum values as `Code` (the enum and its
lower-case code). The portal turns a sentence into the visitor's language with gettext
(`portal/sentences.py`); `english()` here writes the English one, for the CLI and the JSON
API's `summary`. Its templates are the portal's msgids (a test keeps the two equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from ledger.chain.currencies import exponent
from ledger.chain.types import (
    AdjustmentReason,
    BeneficiaryUnit,
    DiscrepancyReason,
    EarmarkKind,
    LotOrigin,
)


@dataclass(frozen=True)
class Money:
    """An amount: integer minor units of `currency` (an ISO 4217 code; '' when unknown)."""

    minor: int
    currency: str


@dataclass(frozen=True)
class Code:
    """An enum value: which enum (`discrepancy_reason`, `adjustment_reason`,
    `beneficiary_unit`, `lot_origin`, `earmark_kind`) and its code (`damaged`, `people`,
    `in_kind`, ...)."""

    enum: str
    code: str


Value = int | str | Money | Code


@dataclass(frozen=True)
class Sentence:
    """What to say: the template `kind` and the values of its placeholders."""

    kind: str
    values: dict[str, Value]


# Codes of the enums sentences name: the enum member's lower-case name, except lot origins,
# which use the codes of `sites.list_stock` (`in_kind`, `purchase`, `receipt`).
ENUMS: dict[str, type[IntEnum]] = {
    "discrepancy_reason": DiscrepancyReason,
    "adjustment_reason": AdjustmentReason,
    "beneficiary_unit": BeneficiaryUnit,
    "lot_origin": LotOrigin,
    "earmark_kind": EarmarkKind,
}
LOT_ORIGINS = {
    LotOrigin.IN_KIND_GIFT: "in_kind",
    LotOrigin.PURCHASE: "purchase",
    LotOrigin.RECEIPT: "receipt",
}


def code(enum: str, value: int) -> Code:
    """The code of `value` of `enum` (a name in ENUMS); the number itself if it is no member."""
    kind = ENUMS[enum]
    try:
        member = kind(value)
    except ValueError:
        return Code(enum, str(value))
    if kind is LotOrigin:
        return Code(enum, LOT_ORIGINS.get(LotOrigin(member), "other"))
    return Code(enum, member.name.lower())


# English templates, one per kind; `%(name)s` placeholders. The portal's msgids are the same.
TEMPLATES: dict[str, str] = {
    # trace: units of a gift leaving a lot
    "line_received": "line %(line)s from %(from_site)s to %(to_site)s, %(received)s of "
    "%(quantity)s received",
    "line_received_short": "line %(line)s from %(from_site)s to %(to_site)s, %(received)s of "
    "%(quantity)s received (%(declared)s %(reason)s)",
    "line_on_its_way": "line %(line)s from %(from_site)s to %(to_site)s, on its way",
    "hand_over": "%(quantity)s units to %(beneficiaries)s %(unit)s",
    "hand_over_for_need": "%(quantity)s units to %(beneficiaries)s %(unit)s for need %(need)s",
    "written_off": "reason: %(reason)s",
    # a transaction's events
    "gift_received": "Gift of %(amount)s received (donor %(donor)s)",
    "gift_received_named": "Gift of %(amount)s received (donor %(donor)s) from %(name)s",
    "in_kind_received": "In-kind gift received as lot %(lot)s (donor %(donor)s)",
    "in_kind_received_named": "In-kind gift received as lot %(lot)s (donor %(donor)s) from "
    "%(name)s",
    "pledge_recorded": "Pledge of %(amount)s recorded",
    "funds_allocated": "%(amount)s allocated as %(allocation)s",
    "allocation_spent": "%(amount)s of allocation %(allocation)s spent on purchase %(purchase)s",
    "allocation_released": "%(amount)s of allocation %(allocation)s released",
    "purchase_recorded": "Purchase %(purchase)s of %(amount)s from %(supplier)s into lot %(lot)s",
    "lot_created": "Lot %(lot)s of %(quantity)s %(item)s created at %(site)s (%(origin)s)",
    "need_posted": "%(site)s needs %(quantity)s %(item)s (need %(need)s)",
    "need_closed": "Need %(need)s closed, %(fulfilled)s handed over",
    "shipment_dispatched": "Shipment %(shipment)s dispatched from %(from_site)s to %(to_site)s "
    "(%(lines)s lines)",
    "line_dispatched": "Line %(line)s: %(quantity)s units of lot %(lot)s",
    "line_received_event": "Line %(line)s of shipment %(shipment)s: %(received)s received",
    "line_received_event_short": "Line %(line)s of shipment %(shipment)s: %(received)s received, "
    "%(declared)s %(reason)s",
    "shipment_completed": "Shipment %(shipment)s completed",
    "handed_over": "%(quantity)s units of lot %(lot)s handed over to %(beneficiaries)s %(unit)s",
    "lot_increased": "Lot %(lot)s adjusted by +%(quantity)s (%(reason)s)",
    "lot_decreased": "Lot %(lot)s adjusted by -%(quantity)s (%(reason)s)",
    "organisation_registered": "Organisation %(name)s registered",
    "site_registered": "Site %(name)s registered in %(region)s",
    "item_registered": "Item %(name)s registered (unit %(unit)s)",
    "role_granted": "Role %(role)s granted to %(account)s",
    "role_revoked": "Role %(role)s revoked from %(account)s",
    "ledger_paused": "Ledger paused",
    "ledger_resumed": "Ledger resumed",
    "attestation_posted": "Attestation of blocks %(from_block)s to %(to_block)s up to seq %(seq)s",
    "ledgers_bound": "Fund and supply ledgers bound to the registry",
    "event": "Event %(name)s",
    # names made, not registered: a pool is its currency and earmark
    "pool": "%(currency)s pool",
    "pool_region": "%(currency)s pool, region %(region)s",
    "pool_earmarked": "%(currency)s pool, %(earmark)s %(id)s",
}

# English words of the codes, as they read inside a sentence; the portal's msgids too.
CODE_WORDS: dict[tuple[str, str], str] = {
    ("discrepancy_reason", "damaged"): "damaged",
    ("discrepancy_reason", "lost"): "lost",
    ("discrepancy_reason", "short"): "short",
    ("discrepancy_reason", "expired"): "expired",
    ("discrepancy_reason", "refused"): "refused",
    ("adjustment_reason", "expired"): "expired",
    ("adjustment_reason", "damaged"): "damaged",
    ("adjustment_reason", "count_correction"): "count correction",
    ("beneficiary_unit", "people"): "people",
    ("beneficiary_unit", "households"): "households",
    ("lot_origin", "in_kind"): "in-kind gift",
    ("lot_origin", "purchase"): "purchase",
    ("lot_origin", "receipt"): "receipt",
    ("earmark_kind", "purpose"): "purpose",
    ("earmark_kind", "region"): "region",
    ("earmark_kind", "category"): "category",
}


def money(currency: str | None, minor: int) -> str:
    """Minor units as `CNY 1,234.56`, `JPY 1,234` (ISO 4217 digits; the portal formats per
    locale)."""
    digits = exponent(currency or "")
    sign, whole = ("-" if minor < 0 else ""), abs(minor)
    units, part = divmod(whole, 10**digits)
    text = f"{sign}{units:,}" + (f".{part:0{digits}d}" if digits else "")
    return f"{currency or ''} {text}".strip()


def english_value(value: Value) -> str:
    """One value in English: `1,234`, `CNY 12.34`, a code's word, a name as it is."""
    if isinstance(value, Money):
        return money(value.currency, value.minor)
    if isinstance(value, Code):
        return CODE_WORDS.get((value.enum, value.code), value.code.replace("_", " "))
    if isinstance(value, int):
        return f"{value:,}"
    return value


def english(sentence: Sentence) -> str:
    """The sentence in English (an unknown kind: its kind and values, so nothing is lost)."""
    values = {key: english_value(value) for key, value in sentence.values.items()}
    template = TEMPLATES.get(sentence.kind)
    if template is None:
        return " ".join([sentence.kind, *values.values()])
    return template % values
