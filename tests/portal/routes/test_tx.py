# ruff: noqa: RUF001  (the Chinese renderings use full-width punctuation, as they should)
"""/tx/{hash} in words in the visitor's language: every transaction of the scenario reads in
Chinese with no English sentence left, in English as before, and the API gives the sentence as
data (kind and typed values) beside its English `summary`."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlmodel import Session, col

from ledger.store.models import RawEvent
from tests.portal.conftest import Indexed
from tests.portal.english import english_left
from tests.portal.html import ZH, assert_no_injected_markup, soup, text
from tests.portal.scenario import PAYLOADS


def transactions(indexed: Indexed) -> list[str]:
    """Every transaction of the scenario with a ledger event, in chain order."""
    engine = create_engine(indexed.database_url)
    with Session(engine) as session:
        rows = session.execute(
            select(col(RawEvent.tx_hash), col(RawEvent.seq)).order_by(col(RawEvent.seq))
        ).all()
    engine.dispose()
    return list(dict.fromkeys(tx_hash for tx_hash, _ in rows))


def summaries(client: TestClient, tx_hash: str, chinese: bool) -> list[str]:
    page = soup(client.get(f"/tx/{tx_hash}", headers=ZH if chinese else {}))
    assert_no_injected_markup(page)
    return [text(p) for p in page.select("#events li p.summary")]


def test_every_transaction_reads_in_chinese(client: TestClient, indexed: Indexed) -> None:
    said = []
    for tx_hash in transactions(indexed):
        for sentence in summaries(client, tx_hash, chinese=True):
            assert english_left(sentence) == [], sentence
            assert re.search(r"[\u4e00-\u9fff]", sentence), sentence
            said.append(sentence)
    joined = "\n".join(said)
    for chinese in (
        "已收到捐赠 ¥1,500.00（捐赠人 ",
        "已分配 ¥2,000.00（分配 A-",
        "已用于采购 P-",
        "：已签收 940，损坏 10",
        "已发放给 250 人",
        "（经运输到达）",
        "（采购）",
        "减少 5（已过期）",
        "已从 wh_a 发往 hospital（1 条明细）",
        "已收到实物捐赠，记为批次 L-",
        "已记录认捐 ¥3,000.00",
    ):
        assert chinese in joined, chinese


def test_english_pages_say_the_same_as_before(client: TestClient, indexed: Indexed) -> None:
    said = "\n".join(
        sentence
        for tx_hash in transactions(indexed)
        for sentence in summaries(client, tx_hash, chinese=False)
    )
    for english in (
        "Gift of CN¥1,500.00 received (donor ",
        "CN¥2,000.00 allocated as A-",
        "Shipment S-",
        "dispatched from wh_a to hospital (1 lines)",
        "of shipment S-",
        ": 940 received, 10 damaged",
        "500 units of lot L-",
        "handed over to 250 people",
        "adjusted by -5 (expired)",
        "created at hospital (receipt)",
        "Pledge of CN¥3,000.00 recorded",
        f"from {PAYLOADS['donor']}",
    ):
        assert english in said, english


def test_api_gives_the_sentence_as_data_and_its_english(
    client: TestClient, indexed: Indexed
) -> None:
    body = client.get(f"/api/v1/tx/{indexed.scenario.tx['shipment']}").json()
    events = body["data"]["events"]
    dispatched = next(e for e in events if e["name"] == "ShipmentDispatched")
    assert dispatched["sentence"]["kind"] == "shipment_dispatched"
    values = dispatched["sentence"]["values"]
    assert (values["from_site"], values["to_site"], values["lines"]) == ("wh_a", "hospital", 1)
    assert dispatched["summary"] == (
        f"Shipment {values['shipment']} dispatched from wh_a to hospital (1 lines)"
    )
    gift = client.get(f"/api/v1/tx/{indexed.scenario.tx['g3']}").json()["data"]["events"][0]
    assert gift["sentence"]["kind"] == "gift_received"
    assert gift["sentence"]["values"]["amount"] == {"minor": 150_000, "currency": "CNY"}
    assert gift["summary"].startswith("Gift of CNY 1,500.00 received (donor ")
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert {"Sentence", "Money", "Code"} <= schema.keys()
