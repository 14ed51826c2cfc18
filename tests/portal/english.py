"""English left on a Chinese page: the words of the read layer's sentences (ledger.queries
.sentences), found in a page's text once the chain's own names are taken out."""

from __future__ import annotations

from tests.portal.scenario import PAYLOADS

# English words of the read layer's sentences that must not stay on a Chinese page
ENGLISH = (
    " received", " units ", " units of ", " people", "households", "allocated as",
    "dispatched from", "Gift of", "In-kind gift", "damaged", "for need", "expired",
    "count correction", "created at", "(purchase)", "(receipt)", "in-kind", "Pledge of",
    "spent on", "released", "handed over", "adjusted by", "registered", "granted to",
    "revoked from", "Line ", "Lot ", "Shipment ", "Purchase ", "Need ", "needs ", " lines)",
    "completed", "on its way", "reason:", "(donor ", " from ", " to ",
)  # fmt: skip


def english_left(sentence: str) -> list[str]:
    """The English fragments in `sentence` once the chain's own names are taken out."""
    for name in PAYLOADS.values():
        sentence = sentence.replace(name, "")
    return [fragment for fragment in ENGLISH if fragment in sentence]
