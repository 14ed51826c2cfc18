"""/shipments, /shipments/{id}, /pledges and /tx/{hash} over the scenario."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.portal.conftest import Indexed
from tests.portal.html import ZH, one, soup, text


def test_shipment_listed_with_dispatched_received_declared(client: TestClient) -> None:
    row = one(soup(client.get("/shipments")), "#shipments tbody tr")
    assert [text(td) for td in row.select("td")][:6] == [
        "wh_a", "hospital", "950", "940", "10", "Completed",
    ]  # fmt: skip


def test_shipment_lines_with_discrepancy_reason(client: TestClient, indexed: Indexed) -> None:
    shipment_id = "0x" + indexed.scenario.ids["shipment"].hex()
    line = one(soup(client.get(f"/shipments/{shipment_id}")), "#lines tbody tr")
    assert text(one(line, "td.reason")) == "damaged"
    chinese = one(soup(client.get(f"/shipments/{shipment_id}", headers=ZH)), "#lines td.reason")
    assert text(chinese) == "损坏"
    assert client.get("/shipments/0x" + "00" * 32).status_code == 404


def test_pledge_promised_paid_gap(client: TestClient) -> None:
    row = one(soup(client.get("/pledges")), "#pledges tbody tr")
    assert [text(td) for td in row.select("td")][:4] == [
        "CN¥3,000.00", "CN¥0.00", "CN¥3,000.00", "Not paid in full",
    ]  # fmt: skip


def test_tx_page_says_what_the_transaction_did(client: TestClient, indexed: Indexed) -> None:
    tx_hash = indexed.scenario.tx["shipment"]
    page = soup(client.get(f"/tx/{tx_hash}"))
    assert text(one(page, "#tx-hash")) == tx_hash
    names = [text(h) for h in page.select("#events li h2")]
    assert names[0].startswith("Shipment dispatched")
    assert text(page.select("#events li h2")[0]).startswith("Shipment dispatched")
    assert text(soup(client.get(f"/tx/{tx_hash}", headers=ZH)).select("#events h2")[0]).startswith(
        "已发货"
    )


def test_tx_unknown_or_malformed_is_404(client: TestClient) -> None:
    assert client.get("/tx/0x" + "ab" * 32).status_code == 404
    assert client.get("/tx/<script>").status_code == 404


def test_verify_shows_chain_mirror_and_ledger_heads(client: TestClient, indexed: Indexed) -> None:
    page = soup(client.get("/verify"))
    chain = indexed.world.ledger.client.w3.eth.block_number
    assert text(one(page, "#chain-head")) == f"block {chain:,}"
    assert text(one(page, "#mirror-head")).startswith("block ")
    assert text(one(page, "#ledger-head")).startswith("0x")
    assert text(one(page, "#last-verify")) == "never run"
    assert "not been verified" in text(one(page, ".notices"))
