"""Every figure of the overview page equals a sum over the raw events, computed here from
eth_getLogs (not from the mirror)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi.testclient import TestClient

from ledger.chain.events import DecodedEvent, decode_log
from ledger.chain.types import LotOrigin
from tests.portal.conftest import Indexed
from tests.portal.html import soup


def logs(indexed: Indexed) -> list[DecodedEvent]:
    ledger = indexed.world.ledger
    d = ledger.deployment
    raw = ledger.client.w3.eth.get_logs(
        {
            "fromBlock": d.deployment_block,
            "toBlock": "latest",
            "address": [d.registry, d.fund_ledger, d.supply_ledger],  # type: ignore[typeddict-item]
        }
    )
    return [e for e in (decode_log(dict(log)) for log in raw) if e is not None]


def text_of(value: Any) -> str:
    return bytes(value).rstrip(b"\0").decode() if isinstance(value, bytes) else str(value)


def hexed(value: Any) -> str:
    return "0x" + bytes(value).hex()


def test_money_and_goods_figures_equal_sums_over_the_logs(
    client: TestClient, indexed: Indexed
) -> None:
    events = logs(indexed)
    pools: dict[str, str] = {}
    money: dict[str, Counter[str]] = {k: Counter() for k in ("received", "allocated", "spent")}
    allocation_currency: dict[str, str] = {}
    lots: dict[str, str] = {}
    goods: dict[str, Counter[str]] = {k: Counter() for k in ("in_kind", "bought", "ship", "hand")}
    for e in events:
        a = e.args
        if e.name == "GiftRecorded":
            currency = text_of(a["currency"])
            pools[hexed(a["poolId"])] = currency
            money["received"][currency] += a["amount"]
        elif e.name == "FundsAllocated":
            currency = pools[hexed(a["poolId"])]
            allocation_currency[hexed(a["allocationId"])] = currency
            money["allocated"][currency] += a["amount"]
        elif e.name == "AllocationReleased":
            money["allocated"][pools[hexed(a["poolId"])]] -= a["amount"]
        elif e.name == "AllocationSpent":
            money["spent"][allocation_currency[hexed(a["allocationId"])]] += a["amount"]
        elif e.name == "LotCreated":
            item = hexed(a["itemId"])
            lots[hexed(a["lotId"])] = item
            if a["origin"] == LotOrigin.IN_KIND_GIFT:
                goods["in_kind"][item] += a["quantity"]
            elif a["origin"] == LotOrigin.PURCHASE:
                goods["bought"][item] += a["quantity"]
        elif e.name == "ShipmentLineDispatched":
            goods["ship"][lots[hexed(a["lotId"])]] += a["quantity"]
        elif e.name == "HandedOver":
            goods["hand"][lots[hexed(a["lotId"])]] += a["quantity"]

    page = soup(client.get("/"))
    for row in page.select("#money tbody tr"):
        currency = str(row["data-currency"])
        shown = [int(str(td["data-minor"])) for td in row.select("td")]
        expected = [money[k][currency] for k in ("received", "allocated", "spent")]
        assert shown == expected, currency
    assert {str(r["data-currency"]) for r in page.select("#money tbody tr")} == set(
        money["received"]
    )
    for row in page.select("#goods tbody tr"):
        item = str(row["data-item"])
        shown = [int(str(td["data-units"])) for td in row.select("td")]
        assert shown == [goods[k][item] for k in ("in_kind", "bought", "ship", "hand")], item
    assert len(page.select("#goods tbody tr")) == len(set(lots.values()))
