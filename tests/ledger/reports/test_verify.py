"""`report verify`: an untouched report equals the chain; a tampered file, a forged manifest, a
file from another chain and a range reorged away are each reported; attestations are found."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import orjson
import pytest
from eth_utils import keccak

from ledger.chain.rpc import Rpc
from ledger.reports import manifest as manifests
from ledger.reports.formats.csv_format import ENCODING
from ledger.reports.manifest import ManifestError
from ledger.reports.produce import produce
from ledger.reports.verify import Finding, verify_report
from ledger.write.commands import Attest, RecordGift
from ledger.write.service import WriteService
from tests.chain_backends import devnet_web3
from tests.contracts.world import CNY, build_world
from tests.ledger.queries.conftest import index
from tests.ledger.reports.conftest import EVERYTHING, Reported


def _bad(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not f.ok]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_untouched_report_equals_the_chain(reported: Reported, tmp_path: Path, fmt: str) -> None:
    made = reported.report(fmt, tmp_path / f"r.{fmt}")
    findings = verify_report(made.files[0], reported.rpc())
    assert _bad(findings) == []
    checks = {f.check for f in findings}
    assert {"chain", "first block", "last block", "ledger head", "table journal"} <= checks
    assert "table money_reconciliation" in checks and "attestation" in checks


def test_a_changed_amount_is_named_by_row_and_column(reported: Reported, tmp_path: Path) -> None:
    made = reported.report("csv", tmp_path / "r.csv")
    with made.files[0].open(encoding=ENCODING, newline="") as f:
        rows = list(csv.reader(f))
    target = next(i for i, r in enumerate(rows) if r[6] == "GiftRecorded")
    rows[target][10] = str(int(rows[target][10]) + 1)
    with made.files[0].open("w", encoding=ENCODING, newline="") as f:
        csv.writer(f).writerows(rows)
    bad = _bad(verify_report(made.files[0], reported.rpc()))
    assert [f.check for f in bad] == ["file r.csv", "file table journal"]
    assert "changed after the report was made" in bad[0].detail
    assert f"row {target}: amount: file {int(rows[target][10])}" in bad[1].detail


def test_a_forged_manifest_still_differs_from_the_chain(reported: Reported, tmp_path: Path) -> None:
    made = reported.report("json", tmp_path / "r.json")
    doc = orjson.loads(made.files[0].read_bytes())
    row = next(r for r in doc["tables"]["money_reconciliation"]["rows"])
    row[2] += 500  # received
    made.files[0].write_bytes(orjson.dumps(doc))
    forged = dict(made.manifest)
    forged["files"] = [{**forged["files"][0], "sha256": manifests.sha256_file(made.files[0])}]
    digest = manifests.manifest_hash(b"something else")
    forged["tables"] = {**forged["tables"], "money_reconciliation": {"rows": 2, "sha256": digest}}
    made.manifest_path.write_bytes(manifests.encode(forged))
    bad = _bad(verify_report(made.files[0], reported.rpc()))
    assert [f.check for f in bad] == [
        "table money_reconciliation",
        "file table money_reconciliation",
    ]
    assert "row 1: received: file" in bad[0].detail


def test_a_report_from_another_chain_is_refused(reported: Reported, tmp_path: Path) -> None:
    made = reported.report("json", tmp_path / "r.json")
    with devnet_web3() as other:
        other_rpc = Rpc(str(other.provider.endpoint_uri), timeout=30)  # type: ignore[attr-defined]
        bad = _bad(verify_report(made.files[0], other_rpc))
    assert bad and bad[0].check in ("first block", "last block")
    assert "another chain" in bad[0].detail
    m = dict(made.manifest, chain_id=5)
    made.manifest_path.write_bytes(manifests.encode(m))
    bad = _bad(verify_report(made.files[0], reported.rpc()))
    assert [f.check for f in bad] == ["chain"] and "from chain 5" in bad[0].detail


def test_a_missing_manifest_or_file_says_what_to_do(reported: Reported, tmp_path: Path) -> None:
    made = reported.report("csv", tmp_path / "r.csv")
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    shutil.copy(made.files[0], moved / "r.csv")
    with pytest.raises(ManifestError, match="copy it next to the report"):
        verify_report(moved / "r.csv", reported.rpc())
    made.files[1].unlink()
    bad = _bad(verify_report(made.files[0], reported.rpc()))
    assert any(f.detail == "missing beside the manifest" for f in bad)


def test_an_attested_report_finds_its_attestation(tmp_path: Path) -> None:
    with devnet_web3() as w3:
        world = build_world(w3, "devnet")
        service = WriteService(world.ledger)
        service.submit(
            world.intake, RecordGift("gift-1", CNY, 10_000, keccak(text="d"), keccak(text="e"))
        )
        engine = index(world, tmp_path)
        made = produce(engine, EVERYTHING, "json", tmp_path / "r.json")
        rpc = Rpc(str(w3.provider.endpoint_uri), timeout=30)  # type: ignore[attr-defined]
        m = made.manifest
        digest = manifests.manifest_hash(made.manifest_bytes)
        service.submit(
            world.auditor,
            Attest(
                digest,
                bytes.fromhex(digest[2:]),
                m["first_block"]["number"],
                m["last_block"]["number"],
                m["last_seq"],
                bytes.fromhex(m["ledger_head"][2:]),
            ),
        )
        findings = verify_report(made.files[0], rpc)
        assert _bad(findings) == []
        attested = next(f for f in findings if f.check == "attestation")
        assert attested.detail.startswith(f"attested by {world.auditor.address}")
        # the chain moves on under the report: the same blocks, the same figures
        w3.provider.make_request("anvil_reorg", [1, []])  # type: ignore[arg-type]
        assert _bad(verify_report(made.files[0], rpc)) == []
        # a reorg deep enough to replace the report's last block
        depth = w3.eth.block_number - m["last_block"]["number"] + 1
        w3.provider.make_request("anvil_reorg", [depth, []])  # type: ignore[arg-type]
        bad = _bad(verify_report(made.files[0], rpc))
        assert bad and bad[0].check == "last block" and "reorged away" in bad[0].detail
        engine.dispose()
