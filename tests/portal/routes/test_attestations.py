"""/attestations and /api/v1/attestations: the empty state on the scenario (it attests
nothing), and on a small world of its own a report downloaded from the portal, attested by the
auditor through the write service and indexed, listed with its hash, range and transaction."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import orjson
from eth_utils import keccak
from fastapi.testclient import TestClient

from ledger.reports import manifest as manifests
from ledger.write.commands import Attest, RecordGift
from ledger.write.service import WriteService
from portal.app import create_app
from tests.chain_backends import devnet_web3
from tests.contracts.world import CNY, build_world
from tests.ledger.queries.conftest import index
from tests.portal.html import ZH, one, soup, text

NOWHERE = "0x" + "ab" * 32


def test_none_attested_yet(client: TestClient) -> None:
    page = soup(client.get("/attestations"))
    assert text(one(page, "main h1")) == "Attestations"
    assert text(one(page, "#none")) == "No report has been attested yet."
    assert not page.select("#attestations")
    assert page.select("main a[href='/reports']")
    body = client.get("/api/v1/attestations").json()
    assert body["items"] == [] and body["next"] is None and body["position"]["seq"] > 0
    missing = client.get(f"/api/v1/attestations/{NOWHERE}")
    assert missing.status_code == 404 and missing.json() == {"detail": "not in the mirror (yet)"}
    filtered = soup(client.get("/attestations", params={"report_hash": NOWHERE}))
    assert text(one(filtered, "#none")) == "No attestation of this report hash."


def test_a_bad_report_hash_is_a_400(client: TestClient) -> None:
    page = client.get("/attestations", params={"report_hash": "0x1234"})
    assert page.status_code == 400
    assert "is not a report hash" in text(one(soup(page), "p.detail"))
    api = client.get("/api/v1/attestations/nothex")
    assert api.status_code == 400 and "is not a report hash" in api.json()["detail"]


def test_attestations_in_chinese_and_linked(client: TestClient) -> None:
    page = soup(client.get("/attestations", headers=ZH))
    assert text(one(page, "main h1")) == "审计证明"
    assert text(one(page, "#none")) == "尚无经过证明的报告。"
    for path in ("/about", "/verify"):
        linked = soup(client.get(path))
        assert linked.select("main a[href='/attestations']"), path
        assert linked.select("main a[href='/reports']"), path
    nav = [str(a["href"]) for a in soup(client.get("/")).select("header nav a")]
    assert "/reports" in nav and "/attestations" in nav


def test_openapi_documents_the_attestations(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/attestations", "/api/v1/attestations/{report_hash}"} <= set(paths)
    assert not any(p.startswith(("/reports", "/attestations")) for p in paths)


def test_a_report_from_the_portal_attested_and_listed(tmp_path: Path) -> None:
    with devnet_web3() as w3:
        world = build_world(w3, "devnet")
        service = WriteService(world.ledger)
        gift = RecordGift("gift-1", CNY, 10_000, keccak(text="d"), keccak(text="e"))
        service.submit(world.intake, gift)
        index(world, tmp_path).dispose()
        url = f"sqlite:///{tmp_path / 'mirror.sqlite3'}"
        with TestClient(create_app(url)) as portal:
            params = {"from": "2000-01-01", "to": "2999-12-31", "format": "fts"}
            download = portal.get("/reports/download", params=params)
            assert download.status_code == 200
            with zipfile.ZipFile(io.BytesIO(download.content)) as packed:
                name = next(n for n in packed.namelist() if n.endswith(manifests.SUFFIX))
                data = packed.read(name)
            digest, m = manifests.manifest_hash(data), orjson.loads(data)
            attest = Attest(
                digest,
                bytes.fromhex(digest[2:]),
                m["first_block"]["number"],
                m["last_block"]["number"],
                m["last_seq"],
                bytes.fromhex(m["ledger_head"][2:]),
            )
            tx_hash = service.submit(world.auditor, attest).tx_hash
            index(world, tmp_path).dispose()  # the mirror catches up with the attestation

            row = one(soup(portal.get("/attestations")), "#attestations tbody tr")
            assert one(row, "th .hash")["title"] == digest
            assert text(one(row, "td.blocks")) == (
                f"{m['first_block']['number']} to {m['last_block']['number']}"
            )
            assert text(one(row, "td.covered")).startswith(f"up to event {m['last_seq']}")
            assert str(one(row, "td.actor .hash")["title"]).lower() == world.auditor.address.lower()
            link = one(row, "td.tx a")
            assert link["href"] == f"/tx/{tx_hash}" and link["title"] == tx_hash
            tx_page = soup(portal.get(f"/tx/{tx_hash}"))
            assert "Audit attestation" in text(one(tx_page, "main"))

            listed = portal.get("/api/v1/attestations").json()["items"]
            assert [(a["report_hash"], a["event"]["tx_hash"]) for a in listed] == [
                (digest, tx_hash)
            ]
            assert listed[0]["covered_seq"] == m["last_seq"]
            assert listed[0]["covered_head"] == m["ledger_head"]
            one_report = portal.get(f"/api/v1/attestations/{digest.upper().replace('0X', '0x')}")
            assert [a["attestation_id"] for a in one_report.json()["data"]] == [
                listed[0]["attestation_id"]
            ]
            by_hash = soup(portal.get("/attestations", params={"report_hash": digest}))
            assert len(by_hash.select("#attestations tbody tr")) == 1
            other = soup(portal.get("/attestations", params={"report_hash": NOWHERE}))
            assert not other.select("#attestations")
