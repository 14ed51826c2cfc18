"""FTS-shaped flows: the period's money as OCHA Financial Tracking Service style flows, one JSON
document streamed (docs/reports.md, "IATI 2.03 and FTS").

Pledges are flows of their own status and are totalled apart (`pledgeTotals`): a pledge is a
promise, never money received, so it is never in `totals`. Amounts are decimal text in major
units; totals are summed exactly in minor units first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from ledger.reports.build import Report
from ledger.reports.formats.flows import (
    ALLOCATION,
    GIFT,
    PLEDGE,
    RELEASE,
    SPEND,
    Flow,
    major,
    money_flows,
)
from ledger.reports.formats.publisher import Publisher, publisher
from ledger.reports.formats.types import Manifest

STATUS = {
    GIFT: "paid",
    PLEDGE: "pledge",
    ALLOCATION: "commitment",
    RELEASE: "commitment",
    SPEND: "paid",
}
FLOW_TYPE = "Standard"


def flow_json(flow: Flow, pub: Publisher) -> dict[str, Any]:
    """One flow as the file shows it."""
    if flow.incoming:  # a donor to us
        source, destination = flow.party, pub.name
    elif flow.kind == SPEND:  # us to the supplier
        source, destination = pub.name, flow.party
    else:  # an allocation to the need site's organisation; a purpose or a release stays with us
        source, destination = pub.name, flow.party or pub.name
    return {
        "id": flow.ref,
        "date": flow.day,
        "status": STATUS[flow.kind],
        "flowType": FLOW_TYPE,
        "boundary": "incoming" if flow.incoming else "outgoing",
        "amountOriginal": major(flow.amount, flow.currency),
        "originalCurrency": flow.currency,
        "sourceOrganization": source,
        "sourceRef": flow.party_ref,
        "destinationOrganization": destination,
        "destinationSite": flow.site,
        "description": flow.note,
        "event": flow.event,
        "txHash": flow.tx_hash,
        "logIndex": flow.log_index,
        "seq": flow.seq,
    }


class Totals:
    """Sums in minor units: per currency, status and boundary; pledges apart."""

    def __init__(self) -> None:
        self.flows: dict[tuple[str, str, str], list[int]] = {}
        self.pledges: dict[str, list[int]] = {}

    def add(self, flow: Flow) -> None:
        """Count one flow."""
        if flow.kind == PLEDGE:
            sums = self.pledges.setdefault(flow.currency, [0, 0])
        else:
            boundary = "incoming" if flow.incoming else "outgoing"
            sums = self.flows.setdefault((flow.currency, STATUS[flow.kind], boundary), [0, 0])
        sums[0] += flow.amount
        sums[1] += 1

    def as_json(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(totals, pledgeTotals) as the file shows them."""
        totals: dict[str, Any] = {}
        for (currency, status, boundary), (amount, n) in sorted(self.flows.items()):
            per = totals.setdefault(currency, {}).setdefault(status, {})
            per[boundary] = {"amount": major(amount, currency), "flows": n}
        pledges = {
            currency: {"amount": major(amount, currency), "flows": n}
            for currency, (amount, n) in sorted(self.pledges.items())
        }
        return totals, pledges


def write(report: Report, out: Path, manifest: Manifest) -> list[Path]:
    """Write `report` to `out` as FTS-style flows with their totals."""
    ctx = report.context
    pub = publisher(ctx.chain_id)
    dumps, totals = orjson.dumps, Totals()
    with out.open("wb") as f:
        f.write(b'{"context":' + dumps(ctx.as_json(), option=orjson.OPT_SORT_KEYS))
        f.write(b',\n"publisher":' + dumps({"ref": pub.ref, "name": pub.name}))
        f.write(b',\n"flows":[')
        first = True
        for flow in money_flows(report.journal(), report.books, ctx.tz):
            f.write((b"\n" if first else b",\n") + dumps(flow_json(flow, pub)))
            totals.add(flow)
            first = False
        paid, pledged = totals.as_json()
        f.write(b'],\n"totals":' + dumps(paid) + b',\n"pledgeTotals":' + dumps(pledged) + b"}\n")
    return [out]
