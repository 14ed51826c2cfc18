"""The read layer's sentences (`ledger.queries.sentences.Sentence`) in the visitor's language.

One translatable template per sentence kind and one word per enum code, marked with `N_` so
`make catalogues` extracts them; their English is exactly `ledger.queries.sentences`' (a test
keeps the two equal), so an English page says what the CLI and the API's `summary` say. Values
are formatted per locale (numbers, money) and escaped: names come from the chain.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal
from markupsafe import Markup, escape

from ledger.queries.sentences import Code, Money, Sentence, Value
from portal.i18n import Formatter, translations


def N_(message: str) -> str:  # noqa: N802 (the name gettext tools look for)
    """Mark `message` for extraction; it is translated where it is shown."""
    return message


TEMPLATES: dict[str, str] = {
    "line_received": N_(
        "line %(line)s from %(from_site)s to %(to_site)s, %(received)s of %(quantity)s received"
    ),
    "line_received_short": N_(
        "line %(line)s from %(from_site)s to %(to_site)s, %(received)s of %(quantity)s received "
        "(%(declared)s %(reason)s)"
    ),
    "line_on_its_way": N_("line %(line)s from %(from_site)s to %(to_site)s, on its way"),
    "hand_over": N_("%(quantity)s units to %(beneficiaries)s %(unit)s"),
    "hand_over_for_need": N_("%(quantity)s units to %(beneficiaries)s %(unit)s for need %(need)s"),
    "written_off": N_("reason: %(reason)s"),
    "gift_received": N_("Gift of %(amount)s received (donor %(donor)s)"),
    "gift_received_named": N_("Gift of %(amount)s received (donor %(donor)s) from %(name)s"),
    "in_kind_received": N_("In-kind gift received as lot %(lot)s (donor %(donor)s)"),
    "in_kind_received_named": N_(
        "In-kind gift received as lot %(lot)s (donor %(donor)s) from %(name)s"
    ),
    "pledge_recorded": N_("Pledge of %(amount)s recorded"),
    "funds_allocated": N_("%(amount)s allocated as %(allocation)s"),
    "allocation_spent": N_(
        "%(amount)s of allocation %(allocation)s spent on purchase %(purchase)s"
    ),
    "allocation_released": N_("%(amount)s of allocation %(allocation)s released"),
    "purchase_recorded": N_(
        "Purchase %(purchase)s of %(amount)s from %(supplier)s into lot %(lot)s"
    ),
    "lot_created": N_("Lot %(lot)s of %(quantity)s %(item)s created at %(site)s (%(origin)s)"),
    "need_posted": N_("%(site)s needs %(quantity)s %(item)s (need %(need)s)"),
    "need_closed": N_("Need %(need)s closed, %(fulfilled)s handed over"),
    "shipment_dispatched": N_(
        "Shipment %(shipment)s dispatched from %(from_site)s to %(to_site)s (%(lines)s lines)"
    ),
    "line_dispatched": N_("Line %(line)s: %(quantity)s units of lot %(lot)s"),
    "line_received_event": N_("Line %(line)s of shipment %(shipment)s: %(received)s received"),
    "line_received_event_short": N_(
        "Line %(line)s of shipment %(shipment)s: %(received)s received, %(declared)s %(reason)s"
    ),
    "shipment_completed": N_("Shipment %(shipment)s completed"),
    "handed_over": N_(
        "%(quantity)s units of lot %(lot)s handed over to %(beneficiaries)s %(unit)s"
    ),
    "lot_increased": N_("Lot %(lot)s adjusted by +%(quantity)s (%(reason)s)"),
    "lot_decreased": N_("Lot %(lot)s adjusted by -%(quantity)s (%(reason)s)"),
    "organisation_registered": N_("Organisation %(name)s registered"),
    "site_registered": N_("Site %(name)s registered in %(region)s"),
    "item_registered": N_("Item %(name)s registered (unit %(unit)s)"),
    "role_granted": N_("Role %(role)s granted to %(account)s"),
    "role_revoked": N_("Role %(role)s revoked from %(account)s"),
    "ledger_paused": N_("Ledger paused"),
    "ledger_resumed": N_("Ledger resumed"),
    "attestation_posted": N_(
        "Attestation of blocks %(from_block)s to %(to_block)s up to seq %(seq)s"
    ),
    "ledgers_bound": N_("Fund and supply ledgers bound to the registry"),
    "event": N_("Event %(name)s"),
    "pool": N_("%(currency)s pool"),
    "pool_region": N_("%(currency)s pool, region %(region)s"),
    "pool_earmarked": N_("%(currency)s pool, %(earmark)s %(id)s"),
}

CODE_WORDS: dict[tuple[str, str], str] = {
    ("discrepancy_reason", "damaged"): N_("damaged"),
    ("discrepancy_reason", "lost"): N_("lost"),
    ("discrepancy_reason", "short"): N_("short"),
    ("discrepancy_reason", "expired"): N_("expired"),
    ("discrepancy_reason", "refused"): N_("refused"),
    ("adjustment_reason", "expired"): N_("expired"),
    ("adjustment_reason", "damaged"): N_("damaged"),
    ("adjustment_reason", "count_correction"): N_("count correction"),
    ("beneficiary_unit", "people"): N_("people"),
    ("beneficiary_unit", "households"): N_("households"),
    ("lot_origin", "in_kind"): N_("in-kind gift"),
    ("lot_origin", "purchase"): N_("purchase"),
    ("lot_origin", "receipt"): N_("receipt"),
    ("earmark_kind", "purpose"): N_("purpose"),
    ("earmark_kind", "region"): N_("region"),
    ("earmark_kind", "category"): N_("category"),
}


def value_text(value: Value, fmt: Formatter) -> str:
    """One value as `fmt`'s locale writes it (a name or label as it is)."""
    gettext = translations(fmt.locale).gettext
    if isinstance(value, Money):
        if value.currency:
            return fmt.money(value.minor, value.currency)
        amount = Decimal(value.minor).scaleb(-2)  # currency unknown: two decimals
        return format_decimal(amount, format="#,##0.00", locale=fmt.locale)
    if isinstance(value, Code):
        word = CODE_WORDS.get((value.enum, value.code))
        return gettext(word) if word else value.code.replace("_", " ")
    if isinstance(value, int):
        return fmt.number(value)
    return value


def template(kind: str, fmt: Formatter) -> str:
    """The template of `kind` in `fmt`'s language, placeholders kept (for a script to fill:
    the overview's Sankey names pools with it); '' for a kind this portal does not know."""
    found = TEMPLATES.get(kind)
    return translations(fmt.locale).gettext(found) if found else ""


def code_word(enum: str, code: str, fmt: Formatter) -> str:
    """The word of an enum code in `fmt`'s language (the code itself when it has none)."""
    return value_text(Code(enum, code), fmt)


def render(sentence: Sentence, fmt: Formatter) -> Markup:
    """The sentence in `fmt`'s language, values escaped (a Jinja filter: `s | sentence(fmt)`)."""
    values = {key: value_text(value, fmt) for key, value in sentence.values.items()}
    template = TEMPLATES.get(sentence.kind)
    if template is None:  # a kind this portal does not know yet: say what there is
        return escape(" ".join([sentence.kind, *values.values()]))
    return escape(translations(fmt.locale).gettext(template)) % values
